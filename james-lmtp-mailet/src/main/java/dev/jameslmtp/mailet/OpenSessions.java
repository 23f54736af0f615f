package dev.jameslmtp.mailet;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.jameslmtp.client.pool.LeaseListener;
import dev.jameslmtp.client.session.LmtpConnection;

/**
 * The LMTP sessions of one mailet that are serving a transaction now (cached idle connections
 * are the pool's), so that shutdown can end them. After
 * {@link #abortAll()} every open session is closed (a read or write blocked on it fails at once,
 * and the client turns that into a temporary failure for each recipient without a final reply),
 * and a session opened afterwards is closed as soon as it is registered.
 */
final class OpenSessions implements LeaseListener {

    private final Set<LmtpConnection> open = ConcurrentHashMap.newKeySet();
    private volatile boolean aborted;

    boolean aborted() {
        return aborted;
    }

    void register(LmtpConnection connection) {
        open.add(connection);
        if (aborted) {
            connection.close();
        }
    }

    void unregister(LmtpConnection connection) {
        open.remove(connection);
    }

    /** A connection, cached or new, starts serving a transaction. */
    @Override
    public void leased(LmtpConnection connection) {
        register(connection);
    }

    @Override
    public void returned(LmtpConnection connection) {
        unregister(connection);
    }

    /** Closes every open session and every one registered later; returns how many were open. */
    int abortAll() {
        aborted = true;
        int count = 0;
        for (LmtpConnection connection : open) {
            connection.close();
            count++;
        }
        return count;
    }
}
