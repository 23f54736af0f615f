package dev.jameslmtp.client;

import java.util.Objects;
import java.util.Optional;

/**
 * A decision about recipients, before it is pinned on one: the fate, where it was made,
 * the server's reply if it came from one, the sanitised enhanced status and the text.
 * {@link #forRecipient} turns it into that recipient's {@link RecipientOutcome}.
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

    public RecipientOutcome forRecipient(int index, Recipient recipient) {
        return new RecipientOutcome(index, recipient, fate, stage, reply, status, text, server);
    }

    @Override
    public String toString() {
        return (reply.isPresent() ? reply.get().code() + " " : "") + status + " " + text + " (" + stage + ")";
    }
}
