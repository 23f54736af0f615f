package dev.jameslmtp.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.jameslmtp.client.outcome.Fate;

/**
 * What happened to each recipient, as the demo sees it: LmtpDelivery sends a copy of the
 * delivered recipients to its {@code onSuccess} processor, where {@link OutcomeRecorder} writes
 * them here; the bounced ones are read from the DSNs LmtpDelivery wrote to the sender
 * ({@link DsnReading}). The first outcome of a recipient stands. Thread-safe: the mailet
 * container calls it from its spooler threads.
 */
final class Outcomes {

    /** One recipient of one message: delivered, or bounced with the store's reply. */
    record Outcome(String messageId, String recipient, Fate fate, Optional<String> error) {
    }

    private final List<Outcome> outcomes = new ArrayList<>();

    synchronized void record(Outcome outcome) {
        if (of(outcome.messageId(), outcome.recipient()).isEmpty()) {
            outcomes.add(outcome);
        }
    }

    synchronized Optional<Outcome> of(String messageId, String recipient) {
        return outcomes.stream()
                .filter(outcome -> outcome.messageId().equals(messageId) && outcome.recipient().equalsIgnoreCase(recipient))
                .findFirst();
    }
}
