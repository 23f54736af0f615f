package dev.jameslmtp.conf;

/**
 * How a destination's concurrency window listens to the store, as Postfix's queue manager
 * ({@code qmgr}): the window starts at {@code initial} (never above {@code concurrency}), grows by
 * {@code positiveFeedback} after each delivery that reached the store, shrinks by
 * {@code negativeFeedback} after each one that the store failed (no session, a 4xx/5xx greeting,
 * {@code 421}, the connection lost before the content), never below 1. After
 * {@code failedCohortLimit} failed pseudo-cohorts in a row (a pseudo-cohort is as many failed
 * deliveries as the window), the destination is dead until a probe succeeds; 0 = never dead.
 *
 * @param initial           Postfix's {@code initial_destination_concurrency}
 * @param positiveFeedback  Postfix's {@code default_destination_concurrency_positive_feedback}
 * @param negativeFeedback  Postfix's {@code default_destination_concurrency_negative_feedback}
 * @param failedCohortLimit Postfix's {@code default_destination_concurrency_failed_cohort_limit}
 */
public record DestinationConcurrency(int initial, ConcurrencyFeedback positiveFeedback, ConcurrencyFeedback negativeFeedback,
                                     int failedCohortLimit) {

    public static final int DEFAULT_INITIAL = 5;
    public static final int DEFAULT_FAILED_COHORT_LIMIT = 1;

    /** Postfix's defaults: initial 5, feedback 1 both ways, dead after 1 failed pseudo-cohort. */
    public static final DestinationConcurrency DEFAULTS = new DestinationConcurrency(DEFAULT_INITIAL, ConcurrencyFeedback.ONE,
            ConcurrencyFeedback.ONE, DEFAULT_FAILED_COHORT_LIMIT);

    public DestinationConcurrency {
        if (initial < 1) {
            throw new IllegalArgumentException("initial < 1: " + initial);
        }
        if (positiveFeedback == null || negativeFeedback == null) {
            throw new IllegalArgumentException("feedback missing");
        }
        if (failedCohortLimit < 0) {
            throw new IllegalArgumentException("failedCohortLimit < 0: " + failedCohortLimit);
        }
    }
}
