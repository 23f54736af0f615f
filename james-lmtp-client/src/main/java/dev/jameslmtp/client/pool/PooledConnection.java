package dev.jameslmtp.client.pool;

import dev.jameslmtp.client.session.LmtpConnection;

/**
 * A connection with what the pool needs to know about it: its key, the limits of whoever
 * cached it, when it was opened and since when it has been idle (nanoseconds of the pool's
 * clock). Not thread-safe: the pool or one borrower holds it at a time.
 */
final class PooledConnection {

    final ConnectionKey key;
    final LmtpConnection connection;
    final LeaseTranscript transcript;
    final long openedAt;
    PoolLimits limits;
    long idleSince;

    PooledConnection(ConnectionKey key, LmtpConnection connection, LeaseTranscript transcript, long openedAt) {
        this.key = key;
        this.connection = connection;
        this.transcript = transcript;
        this.openedAt = openedAt;
    }

    /** Open, within its reuse time and, if it serves once more, within its reuse count. */
    boolean reusable(long now) {
        return connection.isUsable()
                && now - openedAt < limits.reuseTime().toNanos()
                && (limits.reuseLimit() == 0 || connection.transactions() <= limits.reuseLimit());
    }

    /** When an idle connection must be closed at the latest. */
    long expiresAt() {
        return Math.min(idleSince + limits.idleTime().toNanos(), openedAt + limits.reuseTime().toNanos());
    }

    boolean expired(long now) {
        return !reusable(now) || now - expiresAt() >= 0;
    }
}
