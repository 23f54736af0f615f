package dev.jameslmtp.mailet;

/** What an attempt did with one recipient of a James mail: exactly one of these, every time. */
enum Fate {
    /** The LMTP server said 2xx after the final dot: the recipient leaves the mail. */
    DELIVERED,
    /** Temporary failure with retries left: back on the queue after the next delay. */
    DEFERRED,
    /** Permanent failure, or temporary with no retry left: sent to the bounce processor. */
    BOUNCED
}
