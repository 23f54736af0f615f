package dev.jameslmtp.client.outcome;

import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

import dev.jameslmtp.client.Envelope;
import dev.jameslmtp.client.Recipient;

/**
 * The outcome of one delivery attempt: exactly one {@link Verdict} per envelope recipient, by
 * position (a recipient listed twice has two). The constructor checks the count, so a result that
 * forgot a recipient or decided one twice cannot exist.
 */
public record DeliveryResult(String destination, Envelope envelope, List<Verdict> verdicts) {

    public DeliveryResult {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(envelope, "envelope");
        verdicts = List.copyOf(verdicts);
        if (verdicts.size() != envelope.recipients().size()) {
            throw new IllegalStateException(verdicts.size() + " verdicts for " + envelope.recipients().size() + " recipients");
        }
    }

    /** Every recipient with the same verdict: what a session that could not be opened means for all. */
    public static DeliveryResult sameFor(String destination, Envelope envelope, Verdict verdict) {
        return new DeliveryResult(destination, envelope, IntStream.range(0, envelope.recipients().size()).mapToObj(i -> verdict).toList());
    }

    public Verdict verdict(int index) {
        return verdicts.get(index);
    }

    public Recipient recipient(int index) {
        return envelope.recipients().get(index);
    }

    public boolean allDelivered() {
        return verdicts.stream().allMatch(Verdict::delivered);
    }

    /** The positions of the recipients whose verdict has {@code fate}. */
    public List<Integer> positions(Fate fate) {
        return IntStream.range(0, verdicts.size()).filter(i -> verdicts.get(i).fate() == fate).boxed().toList();
    }

    /** {@code "bob@example.test: 550 5.1.1 User doesn't exist (RCPT)"}, one per recipient. */
    @Override
    public String toString() {
        return IntStream.range(0, verdicts.size()).mapToObj(i -> recipient(i).address() + ": " + verdict(i)).toList().toString();
    }
}
