package dev.jameslmtp.client.wire;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The one daemon thread that ends socket I/O a socket's own read timeout cannot bound: stalled
 * writes ({@link WatchdogOutputStream}), whole TLS handshakes and whole replies read through TLS
 * ({@link SocketDeadline}). Every
 * {@link #TICK_MILLIS} ms it asks each registered {@link Watched} whether it is past its deadline,
 * and such a one closes its socket, which fails the blocked call. It sleeps without waking while
 * nothing is registered. A deadline may so be outlived by up to one tick; timeouts are seconds to
 * minutes.
 *
 * <p>What is closed is always the plain TCP or UNIX socket, never a TLS socket over it: closing an
 * {@code SSLSocket} sends close_notify and waits for the lock a blocked writer holds, which would
 * stall this thread and every deadline of the JVM with it.
 */
final class SocketWatchdog {

    static final long TICK_MILLIS = 100;

    /** Something with a deadline on a socket. */
    interface Watched {
        /** Called by the watchdog with {@link System#nanoTime()}: closes the socket if past due; true when no more watching is needed. */
        boolean check(long now);
    }

    private static final Set<Watched> WATCHED = ConcurrentHashMap.newKeySet();
    private static Thread thread;

    private SocketWatchdog() {
    }

    static void watch(Watched watched) {
        WATCHED.add(watched);
        LockSupport.unpark(thread());
    }

    static void unwatch(Watched watched) {
        WATCHED.remove(watched);
    }

    private static synchronized Thread thread() {
        if (thread == null) {
            thread = new Thread(SocketWatchdog::run, "lmtp-socket-watchdog");
            thread.setDaemon(true);
            thread.start();
        }
        return thread;
    }

    private static void run() {
        while (true) {
            if (WATCHED.isEmpty()) {
                LockSupport.park(SocketWatchdog.class);
            } else {
                LockSupport.parkNanos(SocketWatchdog.class, TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS));
            }
            long now = System.nanoTime();
            WATCHED.removeIf(watched -> watched.check(now));
        }
    }
}
