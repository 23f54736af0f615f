package dev.jameslmtp.client;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of one delivery attempt: exactly one {@link RecipientOutcome} per envelope
 * recipient, in envelope order. The constructor checks this, so a result that forgot a recipient
 * or decided one twice cannot exist.
 */
public record DeliveryResult(String destination, Envelope envelope, List<RecipientOutcome> outcomes) {

    public DeliveryResult {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(envelope, "envelope");
        outcomes = List.copyOf(outcomes);
        if (outcomes.size() != envelope.recipients().size()) {
            throw new IllegalStateException(outcomes.size() + " outcomes for " + envelope.recipients().size() + " recipients");
        }
        for (int i = 0; i < outcomes.size(); i++) {
            RecipientOutcome outcome = outcomes.get(i);
            if (outcome.index() != i || outcome.recipient() != envelope.recipients().get(i)) {
                throw new IllegalStateException("outcome " + i + " belongs to recipient " + outcome.index() + " (" + outcome.recipient() + ")");
            }
        }
    }

    /** Every recipient with the same verdict: what a session that could not be opened means for all. */
    public static DeliveryResult sameFor(String destination, Envelope envelope, Verdict verdict) {
        RecipientLedger ledger = new RecipientLedger(envelope);
        ledger.decideRemaining(verdict);
        return ledger.result(destination);
    }

    public boolean allDelivered() {
        return outcomes.stream().allMatch(RecipientOutcome::delivered);
    }

    public List<RecipientOutcome> with(Fate fate) {
        return outcomes.stream().filter(o -> o.fate() == fate).toList();
    }
}
