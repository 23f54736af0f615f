package dev.jameslmtp.client.outcome;

import java.util.Objects;
import java.util.Optional;

import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.session.Stage;
import dev.jameslmtp.client.wire.EnhancedStatus;
import dev.jameslmtp.client.wire.Reply;

/**
 * What was decided about a recipient: its {@link Fate}, the stage where it was decided, the
 * server's reply if it came from one, the sanitised enhanced status and the text. A
 * {@link DeliveryResult} holds one per recipient, by position; {@link Trouble} makes them.
 *
 * <p>{@code reply} is the server's own reply when there was one; it is empty for a verdict decided
 * locally (connection refused, timeout, lost connection, message too big for the server's SIZE, a
 * protocol error, a skipped 5xx greeting). A 2xx reply goes with a delivery and only with one, and
 * a 3xx never appears: a deferral never shows a 2xx code. {@code status} is the sanitised enhanced
 * status, of the fate's class (a bounce may keep a temporary 4.x.x status: a temporary failure
 * whose retries were given up, {@link Trouble#givenUp}, as Postfix reports it), and {@code text} the server's words or, for a local verdict, a
 * Postfix-style diagnostic such as {@code "lost connection with inet:[127.0.0.1]:24 while sending
 * RCPT TO"}.
 *
 * <p>{@code server} is the server whose reply this is, when it is known: with a destination list
 * of several servers, the one of the list that answered (RFC 3464's {@code Remote-MTA}). It goes
 * with a reply and only with one.
 */
public record Verdict(Fate fate, Stage stage, Optional<Reply> reply, EnhancedStatus status, String text,
                      Optional<Destination> server) {

    public Verdict {
        Objects.requireNonNull(fate, "fate");
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(reply, "reply");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(server, "server");
        if (server.isPresent() && reply.isEmpty()) {
            throw new IllegalArgumentException("a verdict decided locally has no answering server");
        }
        boolean consistent = switch (fate) {
            case DELIVERED -> status.statusClass() == 2;
            case DEFERRED -> status.statusClass() == 4;
            case BOUNCED -> status.statusClass() == 5 || status.statusClass() == 4; // 4.x.x: retries given up (Trouble.givenUp)
        };
        if (!consistent) {
            throw new IllegalArgumentException("fate " + fate + " does not agree with status " + status);
        }
        if (reply.isPresent() && (reply.get().isPositive() != (fate == Fate.DELIVERED) || reply.get().isIntermediate())) {
            throw new IllegalArgumentException("reply " + reply.get().code() + " does not agree with fate " + fate
                    + "; a verdict decided locally (e.g. a protocol error) carries no reply");
        }
    }

    /** A verdict whose answering server is not (yet) known. */
    public Verdict(Fate fate, Stage stage, Optional<Reply> reply, EnhancedStatus status, String text) {
        this(fate, stage, reply, status, text, Optional.empty());
    }

    /** This verdict, naming {@code server} as the one whose reply it is; unchanged when it has no reply. */
    public Verdict answeredBy(Destination server) {
        Objects.requireNonNull(server, "server");
        return reply.isEmpty() ? this : new Verdict(fate, stage, reply, status, text, Optional.of(server));
    }

    /** The reply code, or 0 when the verdict was decided locally. */
    public int code() {
        return reply.map(Reply::code).orElse(0);
    }

    public boolean delivered() {
        return fate == Fate.DELIVERED;
    }

    /**
     * The server's reply that decided this verdict, when there is one. A reply of another class
     * than the status (a probe's refusal made temporary, {@link Trouble#asTemporary}) did not
     * decide it, so it is not reported as the recipient's reply.
     */
    public Optional<Reply> serverReply() {
        return reply.filter(r -> r.code() / 100 == status.statusClass());
    }

    /** Whether the failure is permanent (a 5.x.x status); a bounce after retries given up is not. */
    public boolean permanent() {
        return status.statusClass() == 5;
    }

    @Override
    public String toString() {
        return (reply.isPresent() ? reply.get().code() + " " : "") + status + " " + text + " (" + stage + ")";
    }
}
