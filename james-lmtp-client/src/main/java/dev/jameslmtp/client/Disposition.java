package dev.jameslmtp.client;

/** What happens to one recipient after an attempt: the three outcomes of a delivery. */
public enum Disposition {
    /** The server took responsibility (2xx after the final dot). */
    DELIVERED,
    /** Try again later (4xx, connection trouble, missing reply, timeout). */
    TEMPORARY_FAILURE,
    /** Do not try again; bounce (5xx). */
    PERMANENT_FAILURE
}
