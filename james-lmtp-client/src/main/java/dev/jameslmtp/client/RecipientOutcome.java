package dev.jameslmtp.client;

import java.util.Objects;
import java.util.Optional;

/**
 * The outcome for one recipient: its fate, the stage where it was decided, and why.
 *
 * <p>{@code reply} is the server's own reply for this recipient when there was one; it is empty
 * for outcomes decided locally (connection refused, timeout, lost connection, message too big
 * for the server's SIZE, a protocol error, a skipped 5xx greeting). A 2xx reply goes with a
 * delivery and only with one, and a 3xx never appears: a deferral never shows a 2xx code. {@code status} is the sanitised enhanced status, and {@code text} the
 * server's words or, for local outcomes, a Postfix-style diagnostic such as
 * {@code "lost connection with inet:[127.0.0.1]:24 while sending RCPT TO"}. {@code server} is the
 * server whose reply decided the recipient, when known (see {@link Verdict}).
 */
public record RecipientOutcome(int index, Recipient recipient, Fate fate, Stage stage,
                               Optional<Reply> reply, EnhancedStatus status, String text, Optional<Destination> server) {

    public RecipientOutcome {
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(fate, "fate");
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(reply, "reply");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(server, "server");
        if (server.isPresent() && reply.isEmpty()) {
            throw new IllegalArgumentException("an outcome decided locally has no answering server");
        }
        boolean consistent = switch (fate) {
            case DELIVERED -> status.statusClass() == 2;
            case DEFERRED -> status.statusClass() == 4;
            case BOUNCED -> status.statusClass() == 5;
        };
        if (!consistent) {
            throw new IllegalArgumentException("fate " + fate + " does not agree with status " + status);
        }
        if (reply.isPresent() && (reply.get().isPositive() != (fate == Fate.DELIVERED) || reply.get().isIntermediate())) {
            throw new IllegalArgumentException("reply " + reply.get().code() + " does not agree with fate " + fate
                    + "; an outcome decided locally (e.g. a protocol error) carries no reply");
        }
    }

    /** The decision without the recipient: what {@link Verdict#forRecipient} was given. */
    public Verdict verdict() {
        return new Verdict(fate, stage, reply, status, text, server);
    }

    /** The reply code, or 0 when the outcome was decided locally. */
    public int code() {
        return reply.map(Reply::code).orElse(0);
    }

    public boolean delivered() {
        return fate == Fate.DELIVERED;
    }

    /** {@code "bob@example.test: 550 5.1.1 User doesn't exist (RCPT)"}. */
    @Override
    public String toString() {
        return recipient.address() + ": " + (reply.isPresent() ? code() + " " : "") + status + " " + text + " (" + stage + ")";
    }
}
