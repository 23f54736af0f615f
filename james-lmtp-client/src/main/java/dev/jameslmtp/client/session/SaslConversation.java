package dev.jameslmtp.client.session;

import java.io.IOException;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import javax.security.sasl.SaslException;

import dev.jameslmtp.client.credentials.Credentials;
import dev.jameslmtp.client.sasl.Mechanism;
import dev.jameslmtp.client.sasl.SaslExchange;
import dev.jameslmtp.client.sasl.ScramIterations;
import dev.jameslmtp.client.wire.Command;
import dev.jameslmtp.client.wire.Reply;
import dev.jameslmtp.client.wire.Wire;

/**
 * The AUTH command of RFC 4954 around one {@link SaslExchange}: {@code AUTH <mechanism> [initial
 * response]}, then one base64 line per 334 challenge, until a final reply. Everything secret is
 * redacted in the transcript: the AUTH arguments, every response line and every challenge; the
 * text of a refusal is withheld from the result, so it reaches no log, outcome or DSN.
 *
 * <p>A challenge the mechanism cannot answer (bad base64, a wrong SCRAM server signature) cancels
 * the exchange with {@code *} (RFC 4954 §4) and fails it; so does a 235 from a SCRAM server that
 * never proved it knows the password. At most {@value #MAX_CHALLENGES} challenges are answered.
 */
final class SaslConversation {

    static final int MAX_CHALLENGES = 10;

    /** How the exchange ended: the final reply, or a local refusal to go on. */
    sealed interface Result permits Accepted, Refused, Broken {
    }

    record Accepted() implements Result {
    }

    /** The server's final reply, its text withheld ({@link #withheld}). */
    record Refused(Reply reply) implements Result {
    }

    record Broken(String why) implements Result {
    }

    private SaslConversation() {
    }

    static Result run(Wire wire, Mechanism mechanism, Credentials credentials) throws IOException {
        return run(wire, mechanism.start(credentials));
    }

    /** Runs {@code exchange}, started as {@link Mechanism#start(Credentials, Optional, ScramIterations)} says. */
    static Result run(Wire wire, SaslExchange exchange) throws IOException {
        wire.stage(Stage.AUTH);
        Mechanism mechanism = exchange.mechanism();
        Optional<byte[]> initial;
        try {
            initial = exchange.initialResponse();
        } catch (SaslException e) {
            return new Broken(e.getMessage());
        }
        String verb = "AUTH " + mechanism.saslName();
        wire.send(initial.isPresent()
                ? Command.secret(verb + " ", verb + " " + (initial.get().length == 0 ? "=" : encode(initial.get())))
                : Command.of(verb));
        Reply reply = wire.readSecret();
        for (int challenges = 0; reply.code() == 334; challenges++) {
            byte[] response;
            try {
                if (challenges >= MAX_CHALLENGES) {
                    throw new SaslException("more than " + MAX_CHALLENGES + " challenges");
                }
                response = exchange.respond(decode(reply));
            } catch (SaslException e) {
                cancel(wire);
                return new Broken(e.getMessage());
            }
            wire.send(Command.secret("", encode(response)));
            reply = wire.readSecret();
        }
        if (!reply.isPositive()) {
            return new Refused(withheld(reply, mechanism));
        }
        try {
            exchange.complete();
        } catch (SaslException e) {
            return new Broken(e.getMessage());
        }
        return new Accepted();
    }

    /**
     * The refusal with its code and enhanced status, its words replaced by ours: a store may echo
     * the client's last response (a base64 password) in them, and the refusal's text goes into the
     * log, the outcome and a DSN's {@code Diagnostic-Code} sent to outside senders.
     */
    static Reply withheld(Reply refusal, Mechanism mechanism) {
        return new Reply(refusal.code(), refusal.status(),
                List.of(refusal.status() + " authentication with " + mechanism.saslName() + " failed (server text withheld)"));
    }

    private static void cancel(Wire wire) throws IOException {
        wire.send(Command.of("*"));
        wire.readSecret();
    }

    private static String encode(byte[] bytes) {
        return bytes.length == 0 ? "" : Base64.getEncoder().encodeToString(bytes);
    }

    private static byte[] decode(Reply challenge) throws SaslException {
        String text = challenge.lines().get(0).strip();
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new SaslException("the server's challenge is not base64");
        }
    }
}
