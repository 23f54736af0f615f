package dev.jameslmtp.client.outcome;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

import dev.jameslmtp.client.Envelope;
import dev.jameslmtp.client.Recipient;

/**
 * The outcome of one attempt: exactly one {@link Verdict} per recipient, by position (a recipient
 * listed twice has two), each with the destination it was (or would have been) delivered to. The
 * constructor checks the counts, so a result that forgot a recipient or decided one twice cannot
 * exist. The client makes one per envelope and destination; the mailet one per James mail, whose
 * recipients may have had no destination ({@code "(no destination)"}) or no valid address.
 *
 * @param recipients   the recipients' addresses, in order
 * @param destinations the destination of each recipient, canonical form
 * @param verdicts     the verdict of each recipient
 */
public record DeliveryResult(List<String> recipients, List<String> destinations, List<Verdict> verdicts) {

    public DeliveryResult {
        recipients = List.copyOf(recipients);
        destinations = List.copyOf(destinations);
        verdicts = List.copyOf(verdicts);
        if (verdicts.size() != recipients.size() || destinations.size() != recipients.size()) {
            throw new IllegalStateException(verdicts.size() + " verdicts and " + destinations.size() + " destinations for "
                    + recipients.size() + " recipients");
        }
    }

    /** The result of one exchange: every recipient of {@code envelope} went to {@code destination}. */
    public DeliveryResult(String destination, Envelope envelope, List<Verdict> verdicts) {
        this(envelope.recipients().stream().map(Recipient::address).toList(),
                Collections.nCopies(envelope.recipients().size(), Objects.requireNonNull(destination, "destination")), verdicts);
    }

    /** Every recipient with the same verdict: what a session that could not be opened means for all. */
    public static DeliveryResult sameFor(String destination, Envelope envelope, Verdict verdict) {
        return new DeliveryResult(destination, envelope, Collections.nCopies(envelope.recipients().size(), verdict));
    }

    public Verdict verdict(int index) {
        return verdicts.get(index);
    }

    /** The address of the recipient at {@code index}. */
    public String recipient(int index) {
        return recipients.get(index);
    }

    public String destination(int index) {
        return destinations.get(index);
    }

    public int size() {
        return verdicts.size();
    }

    public boolean allDelivered() {
        for (Verdict verdict : verdicts) {
            if (!verdict.delivered()) {
                return false;
            }
        }
        return true;
    }

    /** The positions of the recipients whose verdict has {@code fate}, in order. */
    public List<Integer> positions(Fate fate) {
        List<Integer> positions = new ArrayList<>(verdicts.size());
        for (int i = 0; i < verdicts.size(); i++) {
            if (verdicts.get(i).fate() == fate) {
                positions.add(i);
            }
        }
        return Collections.unmodifiableList(positions);
    }

    /** The addresses of the recipients whose verdict has {@code fate}, in order. */
    public List<String> addresses(Fate fate) {
        List<String> addresses = new ArrayList<>();
        for (int index : positions(fate)) {
            addresses.add(recipients.get(index));
        }
        return Collections.unmodifiableList(addresses);
    }

    /** The destinations of this result, each once, in order. */
    public List<String> distinctDestinations() {
        return destinations.stream().distinct().toList();
    }

    /** {@code "bob@example.test: 550 5.1.1 User doesn't exist (RCPT)"}, one per recipient. */
    @Override
    public String toString() {
        return IntStream.range(0, verdicts.size()).mapToObj(i -> recipient(i) + ": " + verdict(i)).toList().toString();
    }
}
