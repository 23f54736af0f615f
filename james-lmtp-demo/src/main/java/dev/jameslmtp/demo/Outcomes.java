package dev.jameslmtp.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What happened to each recipient, as the demo's own mailets see it: LmtpDelivery sends a copy
 * of the delivered recipients to its {@code onSuccess} processor and the bounced ones, with
 * James's Bouncer attributes, to its {@code bounceProcessor}; {@link OutcomeRecorder} writes both
 * here. Thread-safe: the mailet container calls it from its spooler threads.
 */
final class Outcomes {

    enum Kind { DELIVERED, BOUNCED }

    /** One recipient of one message: delivered, or bounced with Bouncer's code and error text. */
    record Outcome(String messageId, String recipient, Kind kind, Optional<Integer> code, Optional<String> error) {
    }

    private final List<Outcome> outcomes = new ArrayList<>();

    synchronized void record(Outcome outcome) {
        outcomes.add(outcome);
    }

    synchronized Optional<Outcome> of(String messageId, String recipient) {
        return outcomes.stream()
                .filter(outcome -> outcome.messageId().equals(messageId) && outcome.recipient().equalsIgnoreCase(recipient))
                .findFirst();
    }
}
