package dev.jameslmtp.mailet;

import java.util.Collection;
import java.util.Optional;

import dev.jameslmtp.client.outcome.Trouble;
import dev.jameslmtp.client.outcome.Verdict;

/**
 * What one attempt's exchange with a destination says about the store, for its
 * {@link DestinationWindow}: it failed (a verdict that {@link Trouble#serverFailed blames the
 * server}: no session, a 4xx/5xx greeting or LHLO, {@code 421}, the connection lost before the
 * content), or it answered (every other verdict: a delivery, a recipient refused, over quota, a
 * failure after the content). Recipient-level replies never count against the store.
 *
 * @param failed true when the store failed
 * @param detail the failing verdict, for the log line, or "answered"
 */
record StoreFeedback(boolean failed, String detail) {

    /** Told the feedback of an attempt's exchange with {@code destination} (its route as written). */
    @FunctionalInterface
    interface Listener {
        Listener NONE = (destination, feedback) -> {
        };

        void told(String destination, StoreFeedback feedback);
    }

    private static final StoreFeedback ANSWERED = new StoreFeedback(false, "answered");

    boolean answered() {
        return !failed;
    }

    /**
     * The feedback of an exchange's verdicts; empty when there is none to give (no verdict, or only
     * the recipients James did not send because it is stopping).
     */
    static Optional<StoreFeedback> of(Collection<Verdict> verdicts) {
        Verdict stopping = Trouble.shuttingDown();
        Optional<StoreFeedback> feedback = Optional.empty();
        for (Verdict verdict : verdicts) {
            if (verdict.equals(stopping)) {
                continue;
            }
            if (Trouble.serverFailed(verdict)) {
                return Optional.of(new StoreFeedback(true, verdict.toString()));
            }
            feedback = Optional.of(ANSWERED);
        }
        return feedback;
    }
}
