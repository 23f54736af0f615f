package dev.jameslmtp.mailet;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.conf.DurationSyntax;

/**
 * Deliveries in flight per destination, counted across every LmtpDelivery mailet of the JVM
 * (which is what {@code concurrency} per destination means: two mailets sending to one store
 * share its limit), each destination with its {@link DestinationWindow}: the number of attempts
 * allowed now, which listens to the store as Postfix's scheduler does, and whether the destination
 * is dead. The first mailet to use a destination sets its window's settings and publishes its
 * metrics ({@code lmtpDeliveryDestinationWindow.<destination>}, {@code lmtpDeliveryDestinationDead.<destination>}).
 * A destination at its window is never waited for: {@link #tryAcquire} says no at once, and
 * {@link #busyDelay} says how long to put the mail aside: until the probe for a dead destination,
 * else a time that grows with the time since the destination last finished an attempt (a store
 * that is busy but moving is tried again soon, a stalled one less and less often).
 *
 * <p>The windows are forgotten when the last consumer using these limits {@link #release releases}
 * them (James stopping), as Postfix forgets a destination's window when nothing is queued for it.
 * One INFO line when a destination is marked dead and when it comes back, in the attempt's MDC.
 */
final class DestinationLimits {

    static final Duration MIN_BUSY_DELAY = Duration.ofMillis(250);
    static final Duration MAX_BUSY_DELAY = Duration.ofMinutes(1);
    private static final Logger LOGGER = LoggerFactory.getLogger(DestinationLimits.class);

    private static final DestinationLimits SHARED = new DestinationLimits(System::nanoTime, () -> ThreadLocalRandom.current().nextDouble());

    private final ConcurrentHashMap<String, Limit> limits = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;
    private final DoubleSupplier random;
    private int users;

    DestinationLimits(LongSupplier nanoTime, DoubleSupplier random) {
        this.nanoTime = nanoTime;
        this.random = random;
    }

    /** The limits of this JVM. */
    static DestinationLimits shared() {
        return SHARED;
    }

    /** One more consumer uses these limits. */
    synchronized void retain() {
        users++;
    }

    /** A consumer stopped; the last one forgets every window (and zeroes its metrics). */
    synchronized void release() {
        if (users > 0 && --users == 0) {
            limits.values().forEach(limit -> {
                synchronized (limit) {
                    limit.forgotten = true;
                    limit.publish(0, false);
                }
            });
            limits.clear();
        }
    }

    /**
     * A permit for one attempt to {@code destination}, or empty when its window is full or it is
     * dead (and its probe is not due, or running). {@code settings} and {@code metrics} are used
     * when this is the first attempt to the destination.
     */
    Optional<Permit> tryAcquire(String destination, DestinationWindow.Settings settings, DeliveryMetrics metrics) {
        Limit limit = limits.computeIfAbsent(destination, d -> new Limit(d, new DestinationWindow(settings, random), metrics,
                nanoTime.getAsLong()));
        synchronized (limit) {
            return limit.window.tryStart(nanoTime.getAsLong()).map(slot -> new Permit(limit, slot));
        }
    }

    /** How long to put aside mail for {@code destination} while it is at its window or dead. */
    Duration busyDelay(String destination) {
        Limit limit = limits.get(destination);
        if (limit == null) {
            return MIN_BUSY_DELAY;
        }
        long now = nanoTime.getAsLong();
        Optional<Duration> untilProbe;
        synchronized (limit) {
            untilProbe = limit.window.untilProbe(now);
        }
        if (untilProbe.isPresent()) {
            return untilProbe.get().compareTo(MIN_BUSY_DELAY) < 0 ? MIN_BUSY_DELAY : untilProbe.get();
        }
        Duration idle = Duration.ofNanos(now - limit.lastProgress);
        if (idle.compareTo(MIN_BUSY_DELAY) < 0) {
            return MIN_BUSY_DELAY;
        }
        return idle.compareTo(MAX_BUSY_DELAY) > 0 ? MAX_BUSY_DELAY : idle;
    }

    /** Attempts to {@code destination} in flight now. */
    int inFlight(String destination) {
        Limit limit = limits.get(destination);
        if (limit == null) {
            return 0;
        }
        synchronized (limit) {
            return limit.window.inFlight();
        }
    }

    /** The window of {@code destination} now (0 while dead), or empty when it has none yet. */
    Optional<Integer> window(String destination) {
        Limit limit = limits.get(destination);
        if (limit == null) {
            return Optional.empty();
        }
        synchronized (limit) {
            return Optional.of(limit.window.window());
        }
    }

    /** A wait for the log: to the second, or to the millisecond under a second. */
    private static String shown(Duration wait) {
        return DurationSyntax.format(wait.truncatedTo(wait.compareTo(Duration.ofSeconds(1)) < 0 ? ChronoUnit.MILLIS : ChronoUnit.SECONDS));
    }

    private static final class Limit {
        final String destination;
        final DestinationWindow window;
        final DeliveryMetrics metrics;
        volatile long lastProgress;
        int publishedWindow;
        boolean publishedDead;
        boolean forgotten;

        Limit(String destination, DestinationWindow window, DeliveryMetrics metrics, long now) {
            this.destination = destination;
            this.window = window;
            this.metrics = metrics;
            this.lastProgress = now;
            publish(window.window(), window.dead());
        }

        /** Under the lock. */
        void publish(int newWindow, boolean dead) {
            if (newWindow != publishedWindow || dead != publishedDead) {
                metrics.destinationWindow(destination, newWindow - publishedWindow, (dead ? 1 : 0) - (publishedDead ? 1 : 0));
                publishedWindow = newWindow;
                publishedDead = dead;
            }
        }

        /** Under the lock. */
        void published() {
            if (!forgotten) {
                publish(window.window(), window.dead());
            }
        }
    }

    /**
     * One attempt's hold on its destination: told the attempt's {@link StoreFeedback} for that
     * destination (feedback for another destination of a mail without a route is ignored), then
     * {@link #close()}d once, when the attempt is over.
     */
    final class Permit implements AutoCloseable, StoreFeedback.Listener {
        private final Limit limit;
        private final DestinationWindow.Slot slot;
        private boolean told;
        private boolean closed;

        private Permit(Limit limit, DestinationWindow.Slot slot) {
            this.limit = limit;
            this.slot = slot;
        }

        @Override
        public void told(String destination, StoreFeedback feedback) {
            if (!destination.equals(limit.destination)) {
                return;
            }
            DestinationWindow.Change change;
            int window;
            Optional<Duration> untilProbe;
            synchronized (limit) {
                if (told || closed) {
                    return;
                }
                told = true;
                long now = nanoTime.getAsLong();
                change = limit.window.feedback(slot, feedback, now);
                window = limit.window.window();
                untilProbe = limit.window.untilProbe(now);
                limit.published();
            }
            switch (change) {
                case DIED -> LOGGER.info("LMTP destination {} is dead: {} failed pseudo-cohort(s) of deliveries in a row, the last: {};"
                        + " no new attempt until a probe in {}", limit.destination,
                        limit.window.settings().concurrency().failedCohortLimit(), feedback.detail(),
                        untilProbe.map(DestinationLimits::shown).orElse("?"));
                case CAME_BACK -> LOGGER.info("LMTP destination {} is alive again: {} reached it; its window starts again at {}",
                        limit.destination, slot.isProbe() ? "the probe" : "an attempt", window);
                case NONE -> {
                }
            }
        }

        @Override
        public void close() {
            synchronized (limit) {
                if (closed) {
                    return;
                }
                closed = true;
                limit.lastProgress = nanoTime.getAsLong();
                limit.window.finish(slot);
                limit.published();
            }
        }
    }
}
