package dev.jameslmtp.client.session;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Waits for QUIT replies off the delivering thread, so that a server slow to answer QUIT, or one
 * that never does, cannot hold back outcomes that are already known (Postfix records each
 * recipient's fate before it sends QUIT). Daemon threads, at most {@value #MAX_THREADS} at once,
 * gone after a few idle seconds; when all are busy the connection is closed without waiting.
 */
final class QuitWaiter {

    static final int MAX_THREADS = 64;

    private static final AtomicInteger COUNT = new AtomicInteger();
    private static final ThreadPoolExecutor THREADS = new ThreadPoolExecutor(0, MAX_THREADS, 5, TimeUnit.SECONDS,
            new SynchronousQueue<>(), runnable -> {
                Thread thread = new Thread(runnable, "lmtp-quit-" + COUNT.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });

    private QuitWaiter() {
    }

    /** Runs {@code wait} in the background, or {@code instead} now when no thread is free. */
    static void submit(Runnable wait, Runnable instead) {
        try {
            THREADS.execute(wait);
        } catch (RejectedExecutionException e) {
            instead.run();
        }
    }
}
