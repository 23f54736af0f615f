package dev.jameslmtp.mailet;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.DoubleSupplier;

import dev.jameslmtp.conf.DelaySchedule;
import dev.jameslmtp.conf.DestinationConcurrency;
import dev.jameslmtp.conf.LmtpDeliveryConfiguration;
import dev.jameslmtp.conf.RetryJitter;

/**
 * One destination's concurrency window, as Postfix's queue manager keeps it ({@code qmgr_queue.c},
 * {@code qmgr_feedback.c}): how many attempts may be in flight now, and whether the destination
 * is dead. The time is given by the caller (nanoseconds, as {@link System#nanoTime}), so that it
 * is tested on a fake clock. Not thread-safe: {@link DestinationLimits} holds its lock.
 *
 * <ul>
 *   <li>The window starts at {@code initialDestinationConcurrency}, never above the limit
 *   ({@code concurrency}).</li>
 *   <li>{@link StoreFeedback#answered() The store answered} (the attempt reached it, whatever it
 *   said of each recipient): the positive feedback is added up, and each whole unit raises the
 *   window by one, up to the limit, and only while the window is below the attempts in flight plus
 *   the initial window (Postfix's margin: a window far above what is used would make the negative
 *   feedback slow to bite). The failed pseudo-cohorts are forgotten.</li>
 *   <li>{@link StoreFeedback#failed() The store failed} ({@code Trouble#serverFailed}): the
 *   negative feedback is taken off, and the window drops by one at the start of each unit (the
 *   first failure lowers it at once), never below 1. Each failure also counts {@code 1/window}
 *   of a failed pseudo-cohort; at {@code destinationConcurrencyFailedCohortLimit} of them in a row
 *   the destination is dead.</li>
 *   <li>Dead: no attempt starts; after {@code deadTime} (the schedule's minimal backoff, spread
 *   by {@code retryJitter}) one attempt, the probe, may start. If it reaches the store, the
 *   destination is alive again at the initial window; if it fails, the wait starts again. An
 *   attempt that began before the destination died and reaches the store brings it back too.</li>
 * </ul>
 * Attempts with nothing to say of the store (no exchange, James stopping) give no feedback.
 */
final class DestinationWindow {

    /** What a window is made of: the limit, Postfix's parameters, the wait before a probe and its spread. */
    record Settings(int limit, DestinationConcurrency concurrency, Duration deadTime, RetryJitter jitter) {

        Settings {
            Objects.requireNonNull(concurrency, "concurrency");
            Objects.requireNonNull(deadTime, "deadTime");
            Objects.requireNonNull(jitter, "jitter");
            if (limit < 1) {
                throw new IllegalArgumentException("limit < 1: " + limit);
            }
        }

        static Settings of(LmtpDeliveryConfiguration configuration) {
            DelaySchedule schedule = configuration.delaySchedule();
            return new Settings(configuration.concurrency(), configuration.destinationConcurrency(), schedule.minimalBackoff(),
                    configuration.retryJitter());
        }

        int initialWindow() {
            return Math.min(concurrency.initial(), limit);
        }
    }

    /** A slot given by {@link #tryStart}: the probe of a dead destination, or an ordinary attempt (number 0). */
    record Slot(long probe) {
        boolean isProbe() {
            return probe != 0;
        }
    }

    /** What a feedback changed that the operator is told of. */
    enum Change { NONE, DIED, CAME_BACK }

    private static final double EPSILON = 1e-9;

    private final Settings settings;
    private final DoubleSupplier random;
    private int window;
    private int inFlight;
    private double success;
    private double failure;
    private double failedCohorts;
    private boolean dead;
    private long probeAt;
    private long probes;
    private boolean probing;

    DestinationWindow(Settings settings, DoubleSupplier random) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.random = Objects.requireNonNull(random, "random");
        this.window = settings.initialWindow();
    }

    /** A slot for one attempt now, or empty: the window is full, or the destination is dead and its probe not due or running. */
    Optional<Slot> tryStart(long now) {
        if (dead) {
            if (probing || now - probeAt < 0) {
                return Optional.empty();
            }
            probing = true;
            inFlight++;
            return Optional.of(new Slot(++probes));
        }
        if (inFlight >= window) {
            return Optional.empty();
        }
        inFlight++;
        return Optional.of(new Slot(0));
    }

    /** The feedback of an attempt in {@code slot}, told once, before {@link #finish}. */
    Change feedback(Slot slot, StoreFeedback feedback, long now) {
        if (dead) {
            if (feedback.answered()) {
                comeBack();
                return Change.CAME_BACK;
            }
            if (slot.isProbe() && slot.probe() == probes) {
                probing = false;
                probeAt = now + deadTime().toNanos();
            }
            return Change.NONE;
        }
        return feedback.answered() ? answered() : failed(now);
    }

    /** The attempt in {@code slot} is over. */
    void finish(Slot slot) {
        inFlight--;
        if (slot.isProbe() && slot.probe() == probes) {
            probing = false; // a probe with nothing to say: the next attempt probes
        }
    }

    private Change answered() {
        failedCohorts = 0;
        if (window < settings.limit() && window < inFlight + settings.initialWindow()) {
            success += settings.concurrency().positiveFeedback().at(window);
            while (success >= 1 - EPSILON && window < settings.limit()) {
                window++;
                success -= 1;
                failure = 0;
            }
        }
        return Change.NONE;
    }

    private Change failed(long now) {
        double cohortShare = 1.0 / window;
        failure -= settings.concurrency().negativeFeedback().at(window);
        while (failure < -EPSILON) {
            window = Math.max(1, window - 1);
            success = 0;
            failure += 1;
        }
        failedCohorts += cohortShare;
        int limit = settings.concurrency().failedCohortLimit();
        if (limit > 0 && failedCohorts >= limit - EPSILON) {
            dead = true;
            probing = false;
            probeAt = now + deadTime().toNanos();
            return Change.DIED;
        }
        return Change.NONE;
    }

    private void comeBack() {
        dead = false;
        probing = false;
        window = settings.initialWindow();
        success = 0;
        failure = 0;
        failedCohorts = 0;
    }

    private Duration deadTime() {
        return settings.jitter().spread(settings.deadTime(), random.getAsDouble());
    }

    /** Attempts may start up to this many in flight; 0 while dead. */
    int window() {
        return dead ? 0 : window;
    }

    boolean dead() {
        return dead;
    }

    int inFlight() {
        return inFlight;
    }

    /** Failed pseudo-cohorts in a row so far. */
    double failedCohorts() {
        return failedCohorts;
    }

    /** While dead, how long until the probe may start (zero when due); else empty. */
    Optional<Duration> untilProbe(long now) {
        return dead ? Optional.of(Duration.ofNanos(Math.max(0, probeAt - now))) : Optional.empty();
    }

    Settings settings() {
        return settings;
    }
}
