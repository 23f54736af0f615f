package dev.jameslmtp.client;

import java.util.Objects;
import java.util.Optional;

/**
 * A decision about recipients, before it is pinned on one: the disposition, where it was made,
 * the server's reply if it came from one, the sanitised enhanced status and the text.
 * {@link #forRecipient} turns it into that recipient's {@link RecipientOutcome}.
 */
public record Verdict(Disposition disposition, Stage stage, Optional<Reply> reply, EnhancedStatus status, String text) {

    public Verdict {
        Objects.requireNonNull(disposition, "disposition");
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(reply, "reply");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(text, "text");
    }

    public RecipientOutcome forRecipient(int index, Recipient recipient) {
        return new RecipientOutcome(index, recipient, disposition, stage, reply, status, text);
    }

    @Override
    public String toString() {
        return (reply.isPresent() ? reply.get().code() + " " : "") + status + " " + text + " (" + stage + ")";
    }
}
