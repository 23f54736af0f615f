package dev.jameslmtp.client.pool;

import java.io.Closeable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Idle LMTP connections kept for reuse, by {@link ConnectionKey}: OkHttp's
 * {@code RealConnectionPool} mechanics with Postfix's caution. {@link #take} hands out the most
 * recently idled connection of a key that is still within its limits; {@link #offer} takes a
 * connection back, or refuses it (the caller then sends QUIT) when it is closed, past its reuse
 * time or count, or when the pool is closed. Beyond {@link PoolLimits#maxIdle()} idle connections
 * of one key, the oldest is closed. Expired idle connections are closed by {@link #cleanup},
 * which a daemon thread runs while there are idle connections (except for pools made with
 * {@link #withClock}, whose tests call it), and which takes the time as an argument.
 *
 * <p>Idle connections are closed without QUIT, as Postfix's scache does. Sockets are closed
 * outside the lock. One pool serves a whole James: mailets {@link #retain} it at {@code init}
 * and {@link #release} it at {@code destroy}; a pool that nobody holds keeps nothing, and when the
 * last holder lets go, every idle connection is closed. Thread-safe.
 *
 * <p>The pool does not probe: the RSET that starts each transaction on a reused connection is
 * the probe, and {@link PooledDelivery} retries a transaction that failed before DATA on a
 * cached connection once on a fresh one.
 */
public final class ConnectionPool implements Closeable {

    private static final ConnectionPool SHARED = new ConnectionPool(System::nanoTime, true);
    /** How long the cleaner thread waits for a connection to be offered once none is idle, before it ends. */
    private static final long CLEANER_LINGER_MILLIS = 60_000;

    private final LongSupplier nanoTime;
    private final boolean cleanerThread;
    private final Map<ConnectionKey, Deque<PooledConnection>> idle = new HashMap<>();
    private boolean cleanerRunning;
    private long offers;
    private long cleanerWakesAt = Long.MAX_VALUE;
    private boolean closed;
    private int holders;

    private ConnectionPool(LongSupplier nanoTime, boolean cleanerThread) {
        this.nanoTime = nanoTime;
        this.cleanerThread = cleanerThread;
    }

    /** The process-wide pool, for mailets that get none from Guice. */
    public static ConnectionPool shared() {
        return SHARED;
    }

    /** A pool of its own, cleaned by a daemon thread. */
    public static ConnectionPool create() {
        return new ConnectionPool(System::nanoTime, true);
    }

    /** A pool on the given clock (nanoseconds), with no cleaner thread: call {@link #cleanup}. */
    public static ConnectionPool withClock(LongSupplier nanoTime) {
        return new ConnectionPool(nanoTime, false);
    }

    long now() {
        return nanoTime.getAsLong();
    }

    /** An idle connection for {@code key} that may serve once more, or empty. */
    Optional<PooledConnection> take(ConnectionKey key) {
        List<PooledConnection> expired = new ArrayList<>();
        PooledConnection found = null;
        synchronized (this) {
            Deque<PooledConnection> connections = idle.get(key);
            long now = now();
            while (connections != null && !connections.isEmpty() && found == null) {
                PooledConnection candidate = connections.pollFirst();
                if (candidate.expired(now)) {
                    expired.add(candidate);
                } else {
                    found = candidate;
                }
            }
            if (connections != null && connections.isEmpty()) {
                idle.remove(key);
            }
        }
        expired.forEach(c -> c.connection.close());
        return Optional.ofNullable(found);
    }

    /**
     * Keeps {@code connection} for reuse under {@code limits}; false (nothing kept) when it is not
     * reusable, caching is disabled, nobody holds the pool or it is closed.
     */
    boolean offer(PooledConnection connection, PoolLimits limits) {
        PooledConnection evicted = null;
        synchronized (this) {
            long now = now();
            connection.limits = limits;
            connection.idleSince = now;
            offers++;
            if (closed || holders == 0 || !limits.enabled() || !connection.reusable(now)) {
                return false;
            }
            connection.transcript.idle();
            Deque<PooledConnection> connections = idle.computeIfAbsent(connection.key, k -> new ArrayDeque<>());
            connections.addFirst(connection);
            if (connections.size() > limits.maxIdle()) {
                evicted = connections.pollLast();
            }
            if (cleanerThread && !cleanerRunning) {
                cleanerRunning = true;
                Thread cleaner = new Thread(this::cleanLoop, "lmtp-connection-pool-cleaner");
                cleaner.setDaemon(true);
                cleaner.start();
            } else if (cleanerWakesAt == Long.MAX_VALUE || connection.expiresAt() - cleanerWakesAt < 0) {
                notifyAll(); // wake the cleaner only when this connection expires before it would wake
            }
        }
        if (evicted != null) {
            evicted.connection.close();
        }
        return true;
    }

    /**
     * Closes the idle connections that expired by {@code now}; returns the nanoseconds until the
     * next one expires, or -1 when none is left idle.
     */
    public long cleanup(long now) {
        List<PooledConnection> expired = new ArrayList<>();
        long next = Long.MAX_VALUE;
        synchronized (this) {
            for (Iterator<Deque<PooledConnection>> keys = idle.values().iterator(); keys.hasNext(); ) {
                Deque<PooledConnection> connections = keys.next();
                for (Iterator<PooledConnection> it = connections.iterator(); it.hasNext(); ) {
                    PooledConnection connection = it.next();
                    if (connection.expired(now)) {
                        it.remove();
                        expired.add(connection);
                    } else {
                        next = Math.min(next, connection.expiresAt() - now);
                    }
                }
                if (connections.isEmpty()) {
                    keys.remove();
                }
            }
        }
        expired.forEach(c -> c.connection.close());
        return next == Long.MAX_VALUE ? -1 : Math.max(1, next);
    }

    /**
     * The cleaner thread: closes expired connections, sleeping until the next expiry. With none
     * idle it lingers a while rather than ending, so that a pool whose connections come and go
     * under load does not start a thread per offer.
     */
    private void cleanLoop() {
        while (true) {
            long wait = cleanup(now());
            synchronized (this) {
                long offersBefore = offers;
                cleanerWakesAt = wait < 0 ? Long.MAX_VALUE : now() + wait;
                try {
                    wait(wait < 0 ? CLEANER_LINGER_MILLIS : Math.max(1, wait / 1_000_000L + 1));
                } catch (InterruptedException e) {
                    cleanerRunning = false;
                    Thread.currentThread().interrupt();
                    return;
                }
                if (closed || wait < 0 && idle.isEmpty() && offers == offersBefore) {
                    cleanerRunning = false;
                    return;
                }
            }
        }
    }

    /** A mailet starts using the pool. */
    public synchronized void retain() {
        holders++;
    }

    /** A mailet stops using the pool; when none is left, every idle connection is closed. */
    public void release() {
        synchronized (this) {
            holders = Math.max(0, holders - 1);
            if (holders > 0) {
                return;
            }
        }
        evictAll();
    }

    /** Idle connections of {@code key}. */
    public synchronized int idleCount(ConnectionKey key) {
        Deque<PooledConnection> connections = idle.get(key);
        return connections == null ? 0 : connections.size();
    }

    /** Idle connections of every key. */
    public synchronized int idleCount() {
        return idle.values().stream().mapToInt(Deque::size).sum();
    }

    /** Closes every idle connection; the pool stays usable. */
    public void evictAll() {
        List<PooledConnection> all = new ArrayList<>();
        synchronized (this) {
            idle.values().forEach(all::addAll);
            idle.clear();
            notifyAll();
        }
        all.forEach(c -> c.connection.close());
    }

    /** Closes every idle connection and refuses any offered later. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        evictAll();
    }
}
