package dev.jameslmtp.client.outcome;

/**
 * What happens to one recipient: the three outcomes of a delivery, one word for the client, the
 * mailet, its journal, the {@code lmtp} command and the demo (Postfix's delivered / deferred /
 * bounced). A {@link Verdict} from a server says {@link #DEFERRED} for a temporary failure and
 * {@link #BOUNCED} for a permanent one; the mailet's retry policy may then bounce a deferral that
 * has no retry left.
 */
public enum Fate {
    /** The server took responsibility (2xx after the final dot); for a probe, the store accepts the address. */
    DELIVERED,
    /** Try again later (4xx, connection trouble, missing reply, timeout). */
    DEFERRED,
    /** Do not try again: bounce (5xx, or a deferral with no retry left). */
    BOUNCED
}
