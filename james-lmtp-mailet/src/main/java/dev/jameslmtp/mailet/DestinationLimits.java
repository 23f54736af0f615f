package dev.jameslmtp.mailet;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.LongSupplier;

/**
 * Deliveries in flight per destination, counted across every LmtpDelivery mailet of the JVM
 * (which is what {@code concurrency} per destination means: two mailets sending to one store
 * share its limit). The first mailet to use a destination sets its limit. A destination at its
 * limit is never waited for: {@link #tryAcquire} says no at once, and {@link #busyDelay} says how
 * long to put the mail aside, which grows with the time since the destination last finished an
 * attempt: a store that is busy but moving is tried again soon, a stalled one less and less often.
 */
final class DestinationLimits {

    static final Duration MIN_BUSY_DELAY = Duration.ofMillis(250);
    static final Duration MAX_BUSY_DELAY = Duration.ofMinutes(1);

    private static final DestinationLimits SHARED = new DestinationLimits(System::nanoTime);

    private final ConcurrentHashMap<String, Limit> limits = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    DestinationLimits(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** The limits of this JVM. */
    static DestinationLimits shared() {
        return SHARED;
    }

    /** A permit for one attempt to {@code destination}, or empty when it is at its limit. */
    Optional<Permit> tryAcquire(String destination, int concurrency) {
        Limit limit = limit(destination, concurrency);
        return limit.permits.tryAcquire() ? Optional.of(new Permit(limit)) : Optional.empty();
    }

    /** How long to put aside mail for {@code destination} while it is at its limit. */
    Duration busyDelay(String destination) {
        Limit limit = limits.get(destination);
        if (limit == null) {
            return MIN_BUSY_DELAY;
        }
        Duration idle = Duration.ofNanos(nanoTime.getAsLong() - limit.lastProgress);
        if (idle.compareTo(MIN_BUSY_DELAY) < 0) {
            return MIN_BUSY_DELAY;
        }
        return idle.compareTo(MAX_BUSY_DELAY) > 0 ? MAX_BUSY_DELAY : idle;
    }

    /** Attempts to {@code destination} in flight now. */
    int inFlight(String destination) {
        Limit limit = limits.get(destination);
        return limit == null ? 0 : limit.concurrency - limit.permits.availablePermits();
    }

    private Limit limit(String destination, int concurrency) {
        return limits.computeIfAbsent(destination, d -> new Limit(concurrency, nanoTime.getAsLong()));
    }

    private static final class Limit {
        final int concurrency;
        final Semaphore permits;
        volatile long lastProgress;

        Limit(int concurrency, long now) {
            this.concurrency = concurrency;
            this.permits = new Semaphore(concurrency);
            this.lastProgress = now;
        }
    }

    /** One attempt's hold on its destination; {@link #close()} once, when the attempt is over. */
    final class Permit implements AutoCloseable {
        private final Limit limit;
        private boolean closed;

        private Permit(Limit limit) {
            this.limit = limit;
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                limit.lastProgress = nanoTime.getAsLong();
                limit.permits.release();
            }
        }
    }
}
