package dev.jameslmtp.client.outcome;

/**
 * Told each recipient's final reply the moment it is read, before the transaction ends: each
 * reply after the final dot or after {@code BDAT n LAST} (2xx, 4xx or 5xx), and each refusal at
 * RCPT. A caller that must survive its own crash records it durably here (the mailet's delivery journal, as Postfix marks
 * each recipient done in its queue file), so that a 2xx already read is not sent again after a
 * restart. Outcomes decided locally (timeouts, a lost connection, the end of a session) are not
 * reported: they are only in the {@link DeliveryResult}.
 *
 * <p>Called on the delivering thread, with the recipient's index in the envelope given to the
 * delivery; it should be quick and must not throw (an exception is logged and ignored: it never
 * changes an outcome).
 */
@FunctionalInterface
public interface OutcomeListener {

    OutcomeListener NONE = (index, verdict) -> { };

    void replied(int index, Verdict verdict);
}
