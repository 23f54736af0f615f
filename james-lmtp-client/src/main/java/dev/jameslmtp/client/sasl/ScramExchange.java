package dev.jameslmtp.client.sasl;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import javax.security.sasl.SaslException;

import com.ongres.scram.client.ScramClient;
import com.ongres.scram.common.exception.ScramException;

import dev.jameslmtp.client.credentials.Credentials;

/**
 * SCRAM-SHA-256 (RFC 7677) and SCRAM-SHA-1 (RFC 5802), with or without channel binding ({@code
 * -PLUS}), through {@code com.ongres.scram:scram-client}; the user name and password are SASLprepped
 * by the library. The gs2 header says {@code p=<type>} for a {@code -PLUS} mechanism (the binding
 * data goes into {@code c=} of the final message, which the server checks against its own end of the
 * TLS session), {@code y} for a mechanism without binding when a binding is given (the client could
 * bind, the server offered no {@code -PLUS}), and {@code n} otherwise.
 *
 * <p>The server's final message {@code v=} is verified; it may come as a last 334 challenge (RFC
 * 4954 §4: additional data with success), answered with an empty line. {@link #complete} refuses a
 * 235 that came without a verified {@code v=}: such a server has not proved it knows the password.
 *
 * <p>The server's iteration count ({@code i=}) is checked against {@link ScramIterations} as soon
 * as its first message is parsed, before the salted password is computed: a count out of range
 * fails the exchange without any proof computed or sent.
 */
final class ScramExchange implements SaslExchange {

    private final Mechanism mechanism;
    private final ScramClient client;
    private final ScramIterations iterations;
    private int step;
    private boolean verified;

    ScramExchange(Mechanism mechanism, Credentials credentials, Optional<ChannelBinding> binding, ScramIterations iterations) {
        this.mechanism = mechanism;
        this.iterations = iterations;
        // the library says p= when the one advertised mechanism is -PLUS and a binding is given,
        // y when it is not -PLUS and a binding is given, n without a binding
        ScramClient.FinalBuildStage builder = ScramClient.builder()
                .advertisedMechanisms(List.of(mechanism.saslName()))
                .username(credentials.user())
                .password(credentials.password().reveal().toCharArray());
        binding.ifPresent(b -> builder.channelBinding(b.type(), b.data()));
        this.client = builder.build();
        if (!client.getScramMechanism().getName().equals(mechanism.saslName())) {
            throw new IllegalStateException("SCRAM library chose " + client.getScramMechanism().getName() + " for " + mechanism);
        }
    }

    @Override
    public Mechanism mechanism() {
        return mechanism;
    }

    @Override
    public Optional<byte[]> initialResponse() {
        return Optional.of(client.clientFirstMessage().toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public byte[] respond(byte[] challenge) throws SaslException {
        String message = new String(challenge, StandardCharsets.UTF_8);
        try {
            switch (step++) {
                case 0:
                    // parses only; the salted password is computed by clientFinalMessage()
                    int count = client.serverFirstMessage(message).getIterationCount();
                    if (!iterations.accepts(count)) {
                        throw new SaslException(mechanism + ": the server's iteration count " + count
                                + " is outside the accepted range " + iterations + "; no proof computed");
                    }
                    return client.clientFinalMessage().toString().getBytes(StandardCharsets.UTF_8);
                case 1:
                    client.serverFinalMessage(message);
                    verified = true;
                    return new byte[0];
                default:
                    throw new SaslException(mechanism + ": unexpected server challenge after the final message");
            }
        } catch (ScramException | IllegalArgumentException | IllegalStateException e) {
            throw new SaslException(mechanism + ": " + describe(e));
        }
    }

    @Override
    public void complete() throws SaslException {
        if (!verified) {
            throw new SaslException(mechanism + ": the server accepted without proving that it knows the password (no v=)");
        }
    }

    private static String describe(Exception e) {
        if (e instanceof com.ongres.scram.common.exception.ScramInvalidServerSignatureException) {
            return "the server signature is wrong: the server does not know the password";
        }
        return "bad server message (" + e.getClass().getSimpleName() + ")";
    }
}
