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
 *   expected) is a protocol error: temporary, 4.5.0. Bouncing on a desynchronised conversation
 *   could turn a delivery into a bounce.</li>
 *   <li>Timeouts and lost connections are temporary, 4.4.2 (connect failures 4.4.1); after the
 *   final dot the text warns that the message may be delivered more than once.</li>
 *   <li>A local error reading the message is temporary, 4.3.0.</li>
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
            return new Verdict(Disposition.TEMPORARY_FAILURE, stage, Optional.of(reply), EnhancedStatus.PROTOCOL_ERROR,
                    "protocol error: unexpected reply '" + Transcript.neutralise(reply.toString()) + "' while " + stage.description());
        }
        Disposition disposition = switch (reply.status().statusClass()) {
            case 2 -> Disposition.DELIVERED;
            case 4 -> Disposition.TEMPORARY_FAILURE;
            default -> Disposition.PERMANENT_FAILURE;
        };
        return new Verdict(disposition, stage, Optional.of(reply), reply.status(), Transcript.neutralise(reply.text()));
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
        return new Verdict(Disposition.PERMANENT_FAILURE, Stage.MAIL, Optional.empty(), EnhancedStatus.MESSAGE_TOO_BIG,
                "message size " + size + " exceeds size limit " + limit + " of server " + peer);
    }

    static Verdict smtpUtf8Required(String peer, String what) {
        return new Verdict(Disposition.PERMANENT_FAILURE, what.equals("sender") ? Stage.MAIL : Stage.RCPT, Optional.empty(),
                EnhancedStatus.SMTPUTF8_REQUIRED, "SMTPUTF8 is required for the " + what + " address, but not supported by server " + peer);
    }

    private static Verdict temporary(Stage stage, EnhancedStatus status, String text) {
        return new Verdict(Disposition.TEMPORARY_FAILURE, stage, Optional.empty(), status, text);
    }
}
