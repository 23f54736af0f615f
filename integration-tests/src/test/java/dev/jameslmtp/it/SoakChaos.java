package dev.jameslmtp.it;

import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import dev.jameslmtp.testing.DovecotLmtpServer;

/**
 * Kills Dovecot (SIGKILL to its whole process group: master, LMTP processes, helpers) at a random
 * moment every 1 to 5 seconds, and starts it again 0.2 to 2.5 seconds later, until stopped; then
 * leaves it running. Mid-DATA, mid-reply and idle connections all get cut.
 */
final class SoakChaos implements Runnable {

    private final DovecotLmtpServer dovecot;
    private final Random random;
    private final AtomicInteger kills = new AtomicInteger();
    private volatile boolean stopping;
    private volatile Throwable failure;

    SoakChaos(DovecotLmtpServer dovecot, long seed) {
        this.dovecot = dovecot;
        this.random = new Random(seed);
    }

    int kills() {
        return kills.get();
    }

    Throwable failure() {
        return failure;
    }

    /** Stops after the current kill and restart, if one is under way; Dovecot is left running. */
    void stop() {
        stopping = true;
    }

    @Override
    public void run() {
        try {
            while (!stopping) {
                pause(1000 + random.nextInt(4000));
                if (stopping) {
                    break;
                }
                dovecot.kill();
                kills.incrementAndGet();
                pause(200 + random.nextInt(2300));
                dovecot.restart();
            }
        } catch (RuntimeException | Error e) {
            failure = e;
        } finally {
            if (!dovecot.isRunning()) {
                try {
                    dovecot.restart();
                } catch (RuntimeException e) {
                    failure = failure == null ? e : failure;
                }
            }
        }
    }

    /** Sleeps up to {@code millis}, ending early when stopped. */
    private void pause(int millis) {
        long end = System.nanoTime() + millis * 1_000_000L;
        while (!stopping && System.nanoTime() < end) {
            try {
                Thread.sleep(Math.min(50, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopping = true;
            }
        }
    }
}
