package dev.jameslmtp.client;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.Optional;

/**
 * Every failure policy of the client in one place, as Postfix's {@code smtp_trouble.c}: which
 * reply or exception, at which stage, gives which {@link Verdict}.
 *
 * <ul>
 *   <li>A reply of class 4 or 5 fails the recipients it answers, temporarily or permanently, as its
 *   sanitised enhanced status says. A 2xx is a delivery only after the final dot.</li>
 *   <li>A reply that makes no sense where it came (a 3xx or 2xx where a failure or 354 was
 *   expected) is a protocol error: temporary, 4.5.0, with no reply code (the reply is quoted in
 *   the text). Bouncing on a desynchronised conversation could turn a delivery into a bounce.</li>
 *   <li>A 5xx greeting or LHLO reply defers, unless {@code skip5xxGreeting} is off.</li>
 *   <li>Timeouts and lost connections are temporary, 4.4.2 (connect failures 4.4.1); after the
 *   final dot the text warns that the message may be delivered more than once.</li>
 *   <li>A local error reading the message is temporary, 4.3.0.</li>
 *   <li>TLS required (level encrypt or verify) but not offered or refused: temporary, 4.7.4;
 *   a failed handshake or certificate check: temporary, 4.7.5.</li>
 *   <li>SASL authentication impossible (no compatible mechanism; {@code requireAuth} and no AUTH
 *   or no credentials) or broken (a bad challenge, a wrong SCRAM server signature): temporary,
 *   4.7.0. Refused by the server: temporary whatever the reply unless soft bounce is off, as
 *   Postfix's {@code lmtp_sasl_auth_soft_bounce}; then a 5xx refusal is permanent.</li>
 * </ul>
 */
final class Trouble {

    private Trouble() {
    }

    /** The verdict for a final reply to a command at {@code stage}. */
    static Verdict ofReply(Stage stage, Reply reply) {
        boolean expectedClass = reply.isTransientNegative() || reply.isPermanentNegative()
                || (reply.isPositive() && stage == Stage.DOT);
        if (!expectedClass) {
            // Decided here, not by the server: no reply code (a deferral must never show a 2xx),
            // and the server's reply in the text.
            return temporary(stage, EnhancedStatus.PROTOCOL_ERROR,
                    "protocol error: unexpected reply '" + Transcript.neutralise(reply.toString()) + "' while " + stage.description());
        }
        Fate fate = switch (reply.status().statusClass()) {
            case 2 -> Fate.DELIVERED;
            case 4 -> Fate.DEFERRED;
            default -> Fate.BOUNCED;
        };
        return new Verdict(fate, stage, Optional.of(reply), reply.status(), Transcript.neutralise(reply.text()));
    }

    /**
     * The verdict for a negative greeting or LHLO reply. With {@code skip5xx} (Postfix's
     * {@code lmtp_skip_5xx_greeting = yes}) a 5xx one is not the recipients' fault: it defers them,
     * the status made temporary (5.3.2 becomes 4.3.2), without a reply code, the reply in the text.
     */
    static Verdict ofSessionRefusal(Stage stage, Reply reply, String peer, boolean skip5xx) {
        if (skip5xx && reply.isPermanentNegative()) {
            return temporary(stage, reply.status().asTemporary(), "server " + peer + " refused to talk to me: "
                    + Transcript.neutralise(reply.toString()) + " (skipped, as lmtp_skip_5xx_greeting)");
        }
        return ofReply(stage, reply);
    }

    /** The verdict for an exception raised while talking to {@code peer} at {@code stage}. */
    static Verdict ofException(Stage stage, String peer, IOException e) {
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : Transcript.neutralise(e.getMessage());
        if (e instanceof ContentException) {
            return temporary(stage, EnhancedStatus.LOCAL_ERROR, "local data error while " + stage.description() + ": " + detail);
        }
        if (stage == Stage.CONNECT) {
            return temporary(stage, EnhancedStatus.CONNECT_FAILED, "connect to " + peer + ": " + detail);
        }
        if (e instanceof LmtpProtocolException) {
            return temporary(stage, EnhancedStatus.PROTOCOL_ERROR, "protocol error with " + peer + " while " + stage.description() + ": " + detail);
        }
        if (e instanceof SocketTimeoutException) {
            return temporary(stage, EnhancedStatus.CONNECTION_LOST, "conversation with " + peer + " timed out while " + stage.description());
        }
        return temporary(stage, EnhancedStatus.CONNECTION_LOST, "lost connection with " + peer + " while " + stage.description() + " (" + detail + ")");
    }

    static Verdict messageTooBig(long size, long limit, String peer) {
        return new Verdict(Fate.BOUNCED, Stage.MAIL, Optional.empty(), EnhancedStatus.MESSAGE_TOO_BIG,
                "message size " + size + " exceeds size limit " + limit + " of server " + peer);
    }

    static Verdict smtpUtf8Required(String peer, String what) {
        return new Verdict(Fate.BOUNCED, what.equals("sender") ? Stage.MAIL : Stage.RCPT, Optional.empty(),
                EnhancedStatus.SMTPUTF8_REQUIRED, "SMTPUTF8 is required for the " + what + " address, but not supported by server " + peer);
    }

    static Verdict tlsUnavailable(String peer, String why) {
        return temporary(Stage.STARTTLS, EnhancedStatus.TLS_UNAVAILABLE, "TLS is required, but " + why + " (" + peer + ")");
    }

    static Verdict tlsFailed(String peer, IOException e) {
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : Transcript.neutralise(e.getMessage());
        return temporary(Stage.STARTTLS, EnhancedStatus.TLS_FAILED, "TLS handshake with " + peer + " failed: " + detail);
    }

    static Verdict authImpossible(String peer, String why) {
        return temporary(Stage.AUTH, EnhancedStatus.AUTH_FAILED, "SASL authentication to " + peer + " failed: " + why);
    }

    /** The server refused AUTH with {@code reply}; permanent only for a 5xx without soft bounce. */
    static Verdict authRefused(String peer, Reply reply, boolean softBounce) {
        boolean permanent = reply.isPermanentNegative() && !softBounce;
        EnhancedStatus status = permanent ? reply.status() : reply.status().asTemporary();
        String text = "SASL authentication to " + peer + " failed: server said: " + Transcript.neutralise(reply.toString());
        return new Verdict(permanent ? Fate.BOUNCED : Fate.DEFERRED, Stage.AUTH,
                Optional.of(reply), status, text);
    }

    /** A refusal remembered by the failure cache: AUTH is not tried again. */
    static Verdict authRemembered(String peer, String refusal, boolean softBounce) {
        String text = "SASL authentication to " + peer + " failed recently with the same user and password, not tried again: "
                + Transcript.neutralise(refusal);
        return softBounce
                ? temporary(Stage.AUTH, new EnhancedStatus(4, 7, 8), text)
                : new Verdict(Fate.BOUNCED, Stage.AUTH, Optional.empty(), new EnhancedStatus(5, 7, 8), text);
    }

    private static Verdict temporary(Stage stage, EnhancedStatus status, String text) {
        return new Verdict(Fate.DEFERRED, stage, Optional.empty(), status, text);
    }
}
