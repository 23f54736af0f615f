package dev.jameslmtp.client.outcome;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.slf4j.LoggerFactory;

import dev.jameslmtp.client.Envelope;

/**
 * Marks each recipient of one transaction exactly once, as Postfix's {@code smtp_rcpt.c} does,
 * and refuses to produce a result while any recipient is undecided. Deciding a recipient twice
 * is a bug in the client and throws.
 */
public final class RecipientLedger {

    private final Envelope envelope;
    private final Verdict[] outcomes;
    private final OutcomeListener listener;

    public RecipientLedger(Envelope envelope) {
        this(envelope, OutcomeListener.NONE);
    }

    public RecipientLedger(Envelope envelope, OutcomeListener listener) {
        this.envelope = envelope;
        this.outcomes = new Verdict[envelope.recipients().size()];
        this.listener = listener;
    }

    public void decide(int index, Verdict verdict) {
        if (outcomes[index] != null) {
            throw new IllegalStateException("recipient " + index + " was already decided: " + outcomes[index]);
        }
        outcomes[index] = verdict;
    }

    /** Decides a recipient on the server's own reply and tells the listener at once. */
    public void decideOnReply(int index, Verdict verdict) {
        decide(index, verdict);
        try {
            listener.replied(index, verdict);
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(RecipientLedger.class).warn("outcome listener failed for recipient {}: {}", index, e.toString());
        }
    }

    public boolean isDecided(int index) {
        return outcomes[index] != null;
    }

    /** Decides every recipient that has no outcome yet. */
    public void decideRemaining(Verdict verdict) {
        for (int i = 0; i < outcomes.length; i++) {
            if (outcomes[i] == null) {
                decide(i, verdict);
            }
        }
    }

    public List<Integer> undecided() {
        List<Integer> open = new ArrayList<>();
        for (int i = 0; i < outcomes.length; i++) {
            if (outcomes[i] == null) {
                open.add(i);
            }
        }
        return open;
    }

    /** @throws IllegalStateException if a recipient has no outcome */
    public DeliveryResult result(String destination) {
        for (int i = 0; i < outcomes.length; i++) {
            if (outcomes[i] == null) {
                throw new IllegalStateException("recipient " + i + " has no outcome");
            }
        }
        return new DeliveryResult(destination, envelope, Arrays.asList(outcomes));
    }
}
