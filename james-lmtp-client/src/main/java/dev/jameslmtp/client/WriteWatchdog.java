package dev.jameslmtp.client;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The one daemon thread that ends stalled socket writes: every {@link #TICK_MILLIS} ms it asks each
 * open {@link WatchdogOutputStream} whether a write is past its deadline, and such a stream closes
 * its socket. It sleeps without waking while no connection is open. A write may so outlive its
 * timeout by up to one tick; timeouts are seconds to minutes.
 */
final class WriteWatchdog {

    static final long TICK_MILLIS = 100;

    private static final Set<WatchdogOutputStream> WATCHED = ConcurrentHashMap.newKeySet();
    private static Thread thread;

    private WriteWatchdog() {
    }

    static void watch(WatchdogOutputStream stream) {
        WATCHED.add(stream);
        LockSupport.unpark(thread());
    }

    static void unwatch(WatchdogOutputStream stream) {
        WATCHED.remove(stream);
    }

    private static synchronized Thread thread() {
        if (thread == null) {
            thread = new Thread(WriteWatchdog::run, "lmtp-write-watchdog");
            thread.setDaemon(true);
            thread.start();
        }
        return thread;
    }

    private static void run() {
        while (true) {
            if (WATCHED.isEmpty()) {
                LockSupport.park(WriteWatchdog.class);
            } else {
                LockSupport.parkNanos(WriteWatchdog.class, TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS));
            }
            long now = System.nanoTime();
            WATCHED.removeIf(stream -> stream.check(now));
        }
    }
}
