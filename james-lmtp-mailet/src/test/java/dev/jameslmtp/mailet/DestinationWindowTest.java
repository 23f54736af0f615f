package dev.jameslmtp.mailet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.outcome.Verdict;
import dev.jameslmtp.client.session.Stage;
import dev.jameslmtp.client.wire.EnhancedStatus;
import dev.jameslmtp.client.wire.Reply;
import dev.jameslmtp.conf.ConcurrencyFeedback;
import dev.jameslmtp.conf.DestinationConcurrency;
import dev.jameslmtp.conf.RetryJitter;

/** One destination's window on a fake clock (nanoseconds given by the test; nothing sleeps). */
class DestinationWindowTest {

    private static final Duration DEAD_TIME = Duration.ofMinutes(1);
    private static final StoreFeedback ANSWERED = StoreFeedback.of(List.of(delivered())).orElseThrow();
    private static final StoreFeedback FAILED = StoreFeedback.of(List.of(greeting421())).orElseThrow();

    private long now = 1_000_000_000L;

    private static DestinationWindow window(int limit, int initial, String positive, String negative, int cohortLimit) {
        return window(limit, new DestinationConcurrency(initial, ConcurrencyFeedback.parse(positive), ConcurrencyFeedback.parse(negative),
                cohortLimit), RetryJitter.NONE, 0);
    }

    private static DestinationWindow window(int limit, DestinationConcurrency concurrency, RetryJitter jitter, double random) {
        return new DestinationWindow(new DestinationWindow.Settings(limit, concurrency, DEAD_TIME, jitter), () -> random);
    }

    private static DestinationWindow postfixDefaults(int limit) {
        return window(limit, DestinationConcurrency.DEFAULTS, RetryJitter.NONE, 0);
    }

    /** Starts as many attempts as the window lets start now. */
    private List<DestinationWindow.Slot> fill(DestinationWindow window) {
        List<DestinationWindow.Slot> slots = new ArrayList<>();
        for (Optional<DestinationWindow.Slot> slot = window.tryStart(now); slot.isPresent(); slot = window.tryStart(now)) {
            slots.add(slot.get());
        }
        return slots;
    }

    /** One attempt: started, told {@code feedback}, finished. */
    private DestinationWindow.Change attempt(DestinationWindow window, StoreFeedback feedback) {
        DestinationWindow.Slot slot = window.tryStart(now).orElseThrow();
        DestinationWindow.Change change = window.feedback(slot, feedback, now);
        window.finish(slot);
        return change;
    }

    private void advance(Duration duration) {
        now += duration.toNanos();
    }

    @Test
    void windowShouldStartAtTheInitialConcurrencyAndNeverAboveTheLimit() {
        assertThat(fill(postfixDefaults(10))).hasSize(5);
        assertThat(fill(postfixDefaults(2))).hasSize(2);
        assertThat(postfixDefaults(2).window()).isEqualTo(2);
    }

    @Test
    void windowShouldGrowByOneAfterEachDeliveryThatReachedTheStoreWithFeedbackOne() {
        DestinationWindow window = postfixDefaults(10);
        List<DestinationWindow.Slot> slots = fill(window); // 5 in flight

        window.feedback(slots.get(0), ANSWERED, now);
        assertThat(window.window()).isEqualTo(6);
        window.feedback(slots.get(1), ANSWERED, now);
        assertThat(window.window()).isEqualTo(7);
        assertThat(fill(window)).hasSize(2); // 5 + 2 in flight
    }

    @Test
    void windowShouldGrowByOneAfterAWholeWindowOfDeliveriesWithFeedbackOnePerConcurrency() {
        DestinationWindow window = window(10, 4, "1/concurrency", "1", 1);
        List<DestinationWindow.Slot> slots = fill(window);

        for (int i = 0; i < 3; i++) {
            window.feedback(slots.get(i), ANSWERED, now);
            assertThat(window.window()).isEqualTo(4);
        }
        window.feedback(slots.get(3), ANSWERED, now); // the fourth of a window of 4: a pseudo-cohort
        assertThat(window.window()).isEqualTo(5);
    }

    @Test
    void windowShouldNeverGrowAboveConcurrency() {
        DestinationWindow window = postfixDefaults(7);
        for (int round = 0; round < 20; round++) {
            List<DestinationWindow.Slot> slots = fill(window);
            assertThat(slots.size()).isLessThanOrEqualTo(7);
            slots.forEach(slot -> {
                window.feedback(slot, ANSWERED, now);
                window.finish(slot);
            });
        }
        assertThat(window.window()).isEqualTo(7);
    }

    @Test
    void windowShouldGrowOnlyWhileBelowTheAttemptsInFlightPlusTheInitialWindow() {
        DestinationWindow window = postfixDefaults(10);
        // one attempt at a time: the window stays near what is used (1 in flight + 5)
        for (int i = 0; i < 20; i++) {
            attempt(window, ANSWERED);
        }
        assertThat(window.window()).isEqualTo(6);
    }

    @Test
    void windowShouldShrinkOnServerFailuresAndNeverBelowOneWhileAlive() {
        DestinationWindow window = window(10, 5, "1", "1", 0); // never dead
        List<DestinationWindow.Slot> slots = fill(window);

        window.feedback(slots.get(0), FAILED, now);
        assertThat(window.window()).isEqualTo(4);
        assertThat(window.tryStart(now)).isEmpty(); // 5 in flight, window 4
        slots.forEach(window::finish);
        for (int i = 0; i < 10; i++) {
            attempt(window, FAILED);
            assertThat(window.window()).isEqualTo(Math.max(1, 3 - i));
        }
        assertThat(window.dead()).isFalse();
        assertThat(fill(window)).hasSize(1);
    }

    @Test
    void negativeFeedbackOnePerConcurrencyShouldLowerTheWindowAtOnceThenOncePerWindowOfFailures() {
        DestinationWindow window = window(10, 4, "1", "1/concurrency", 0);

        attempt(window, FAILED); // the start of a sequence: at once
        assertThat(window.window()).isEqualTo(3);
        attempt(window, FAILED);
        attempt(window, FAILED);
        assertThat(window.window()).isEqualTo(3);
        attempt(window, FAILED); // 1/4 + 3 × 1/3 > 1
        assertThat(window.window()).isEqualTo(2);
    }

    @Test
    void recipientLevelFailuresShouldNotShrinkTheWindow() {
        DestinationWindow window = postfixDefaults(10);
        List<Verdict> recipientTrouble = List.of(
                reply(Fate.BOUNCED, Stage.RCPT, 550, new EnhancedStatus(5, 1, 1), "User doesn't exist: bob@b.test"),
                reply(Fate.DEFERRED, Stage.RCPT, 452, new EnhancedStatus(4, 2, 2), "Mailbox is full"),
                reply(Fate.BOUNCED, Stage.DOT, 552, new EnhancedStatus(5, 2, 2), "Quota exceeded"),
                reply(Fate.DEFERRED, Stage.DOT, 451, new EnhancedStatus(4, 3, 0), "Too many concurrent deliveries for user"));

        for (Verdict verdict : recipientTrouble) {
            StoreFeedback feedback = StoreFeedback.of(List.of(verdict)).orElseThrow();
            assertThat(feedback.answered()).as("%s", verdict).isTrue();
            attempt(window, feedback);
        }
        assertThat(window.window()).isEqualTo(6); // grew to one in flight + the initial 5, never shrank
        assertThat(window.failedCohorts()).isZero();
    }

    @Test
    void destinationShouldBeDeadAfterTheFailedCohortLimitAndRefuseEveryAttempt() {
        DestinationWindow window = postfixDefaults(10);
        List<DestinationWindow.Slot> slots = fill(window);

        // window 5, 4, 3, 2: 1/5 + 1/4 + 1/3 + 1/2 >= 1 failed pseudo-cohort
        assertThat(window.feedback(slots.get(0), FAILED, now)).isEqualTo(DestinationWindow.Change.NONE);
        assertThat(window.feedback(slots.get(1), FAILED, now)).isEqualTo(DestinationWindow.Change.NONE);
        assertThat(window.feedback(slots.get(2), FAILED, now)).isEqualTo(DestinationWindow.Change.NONE);
        assertThat(window.feedback(slots.get(3), FAILED, now)).isEqualTo(DestinationWindow.Change.DIED);
        assertThat(window.dead()).isTrue();
        assertThat(window.window()).isZero();
        // the fifth, begun before, fails too: nothing changes
        assertThat(window.feedback(slots.get(4), FAILED, now)).isEqualTo(DestinationWindow.Change.NONE);
        slots.forEach(window::finish);
        assertThat(window.tryStart(now)).isEmpty();
        assertThat(window.untilProbe(now)).contains(DEAD_TIME);
    }

    @Test
    void aFailedCohortLimitOfTwoShouldNeedTwiceTheFailures() {
        DestinationWindow window = window(10, 1, "1", "1", 2);

        assertThat(attempt(window, FAILED)).isEqualTo(DestinationWindow.Change.NONE);
        assertThat(attempt(window, FAILED)).isEqualTo(DestinationWindow.Change.DIED);
    }

    @Test
    void aDeliveryThatReachedTheStoreShouldForgetTheFailedCohorts() {
        DestinationWindow window = window(10, 2, "0", "0", 1); // feedback 0: the window never moves

        attempt(window, FAILED); // half a pseudo-cohort
        attempt(window, ANSWERED);
        attempt(window, FAILED);
        assertThat(window.dead()).isFalse();
        assertThat(window.window()).isEqualTo(2);
        assertThat(attempt(window, FAILED)).isEqualTo(DestinationWindow.Change.DIED);
    }

    @Test
    void deadDestinationShouldBeProbedByOneAttemptOnlyAfterTheDeadTime() {
        DestinationWindow window = window(10, 1, "1", "1", 1);
        attempt(window, FAILED);

        // t = 59 s: still dead
        advance(Duration.ofSeconds(59));
        assertThat(window.tryStart(now)).isEmpty();
        assertThat(window.untilProbe(now)).contains(Duration.ofSeconds(1));
        // t = 60 s: one probe, and only one
        advance(Duration.ofSeconds(1));
        Optional<DestinationWindow.Slot> probe = window.tryStart(now);
        assertThat(probe).hasValueSatisfying(slot -> assertThat(slot.isProbe()).isTrue());
        assertThat(window.tryStart(now)).isEmpty();
        assertThat(window.inFlight()).isEqualTo(1);
    }

    @Test
    void probeThatReachesTheStoreShouldBringItBackAtTheInitialWindow() {
        DestinationWindow window = postfixDefaults(10);
        fill(window).forEach(slot -> {
            window.feedback(slot, FAILED, now);
            window.finish(slot);
        });
        advance(DEAD_TIME);
        DestinationWindow.Slot probe = window.tryStart(now).orElseThrow();

        assertThat(window.feedback(probe, ANSWERED, now)).isEqualTo(DestinationWindow.Change.CAME_BACK);
        window.finish(probe);
        assertThat(window.dead()).isFalse();
        assertThat(window.window()).isEqualTo(5);
        assertThat(fill(window)).hasSize(5);
    }

    @Test
    void probeThatFailsShouldWaitTheDeadTimeAgain() {
        DestinationWindow window = window(10, 1, "1", "1", 1);
        attempt(window, FAILED);
        advance(DEAD_TIME);
        DestinationWindow.Slot probe = window.tryStart(now).orElseThrow();

        // t = 60 s: the probe fails
        assertThat(window.feedback(probe, FAILED, now)).isEqualTo(DestinationWindow.Change.NONE);
        window.finish(probe);
        assertThat(window.dead()).isTrue();
        // t = 119 s: not yet
        advance(DEAD_TIME.minusSeconds(1));
        assertThat(window.tryStart(now)).isEmpty();
        // t = 120 s: the next probe
        advance(Duration.ofSeconds(1));
        assertThat(window.tryStart(now)).hasValueSatisfying(slot -> assertThat(slot.isProbe()).isTrue());
    }

    @Test
    void probeWithNothingToSayShouldLeaveTheNextAttemptToProbe() {
        DestinationWindow window = window(10, 1, "1", "1", 1);
        attempt(window, FAILED);
        advance(DEAD_TIME);

        DestinationWindow.Slot probe = window.tryStart(now).orElseThrow();
        window.finish(probe); // no exchange (e.g. every recipient already settled)

        assertThat(window.dead()).isTrue();
        assertThat(window.tryStart(now)).hasValueSatisfying(slot -> assertThat(slot.isProbe()).isTrue());
    }

    @Test
    void anAttemptBegunBeforeTheDeathThatReachesTheStoreShouldBringItBack() {
        DestinationWindow window = window(10, 4, "1", "1", 1);
        List<DestinationWindow.Slot> slots = fill(window);
        window.feedback(slots.get(0), FAILED, now); // 1/4, window 3
        window.feedback(slots.get(1), FAILED, now); // + 1/3, window 2
        window.feedback(slots.get(2), FAILED, now); // + 1/2: dead
        assertThat(window.dead()).isTrue();

        assertThat(window.feedback(slots.get(3), ANSWERED, now)).isEqualTo(DestinationWindow.Change.CAME_BACK);
        assertThat(window.window()).isEqualTo(4);
    }

    @Test
    void deadTimeShouldBeSpreadByTheJitterAndNeverShorter() {
        DestinationConcurrency dieAtOnce = new DestinationConcurrency(1, ConcurrencyFeedback.ONE, ConcurrencyFeedback.ONE, 1);
        DestinationWindow spread = window(10, dieAtOnce, new RetryJitter(0.1), 0.5);
        DestinationWindow latest = window(10, dieAtOnce, new RetryJitter(0.1), 0.999);

        attempt(spread, FAILED);
        attempt(latest, FAILED);

        assertThat(spread.untilProbe(now)).contains(Duration.ofSeconds(63));
        assertThat(latest.untilProbe(now)).hasValueSatisfying(wait -> assertThat(wait).isBetween(DEAD_TIME, Duration.ofSeconds(66)));
    }

    @Test
    void feedbackShouldBlameTheStoreOnlyForServerFailures() {
        Verdict connectFailed = new Verdict(Fate.DEFERRED, Stage.CONNECT, Optional.empty(), EnhancedStatus.CONNECT_FAILED,
                "connect to inet:[127.0.0.1]:9: Connection refused");
        Verdict rcpt421 = reply(Fate.DEFERRED, Stage.RCPT, 421, new EnhancedStatus(4, 3, 2), "shutting down");

        assertThat(StoreFeedback.of(List.of(connectFailed))).hasValueSatisfying(f -> assertThat(f.failed()).isTrue());
        assertThat(StoreFeedback.of(List.of(greeting421()))).hasValueSatisfying(f -> assertThat(f.failed()).isTrue());
        assertThat(StoreFeedback.of(List.of(delivered(), rcpt421))).hasValueSatisfying(f -> assertThat(f.failed()).isTrue());
        assertThat(StoreFeedback.of(List.of(delivered()))).hasValueSatisfying(f -> assertThat(f.answered()).isTrue());
        assertThat(StoreFeedback.of(List.of())).isEmpty();
        assertThat(StoreFeedback.of(List.of(dev.jameslmtp.client.outcome.Trouble.shuttingDown()))).isEmpty();
    }

    private static Verdict delivered() {
        return reply(Fate.DELIVERED, Stage.DOT, 250, EnhancedStatus.DELIVERED, "Saved");
    }

    private static Verdict greeting421() {
        return reply(Fate.DEFERRED, Stage.GREETING, 421, new EnhancedStatus(4, 3, 2), "Too busy, try later");
    }

    private static Verdict reply(Fate fate, Stage stage, int code, EnhancedStatus status, String text) {
        return new Verdict(fate, stage, Optional.of(Reply.of(code, status + " " + text)), status, text);
    }
}
