package dev.jameslmtp.mailet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.outcome.Verdict;
import dev.jameslmtp.client.session.Stage;
import dev.jameslmtp.client.wire.EnhancedStatus;
import dev.jameslmtp.client.wire.Reply;
import dev.jameslmtp.conf.DestinationConcurrency;
import dev.jameslmtp.conf.RetryJitter;

/** The JVM-wide windows, on a fake clock: shared by mailets, moved by feedback, published as metrics, forgotten at the end. */
class DestinationLimitsTest {

    private static final String STORE = "inet:[127.0.0.1]:24";
    private static final String OTHER = "unix:/run/dovecot/lmtp";
    private static final DestinationWindow.Settings SETTINGS = new DestinationWindow.Settings(10, DestinationConcurrency.DEFAULTS,
            Duration.ofMinutes(1), RetryJitter.NONE);
    private static final StoreFeedback REFUSED = StoreFeedback.of(List.of(new Verdict(Fate.DEFERRED, Stage.GREETING,
            Optional.of(Reply.of(421, "4.3.2 Too busy")), new EnhancedStatus(4, 3, 2), "Too busy"))).orElseThrow();
    private static final StoreFeedback ANSWERED = StoreFeedback.of(List.of(new Verdict(Fate.DELIVERED, Stage.DOT,
            Optional.of(Reply.of(250, "2.0.0 Saved")), EnhancedStatus.DELIVERED, "Saved"))).orElseThrow();

    private final AtomicLong nanos = new AtomicLong(5_000_000_000L);
    private final DestinationLimits limits = new DestinationLimits(nanos::get, () -> 0);
    private final RecordingMetricFactory metricFactory = new RecordingMetricFactory();
    private final DeliveryMetrics metrics = new DeliveryMetrics(metricFactory);

    private List<DestinationLimits.Permit> acquireAll(String destination) {
        List<DestinationLimits.Permit> permits = new ArrayList<>();
        for (Optional<DestinationLimits.Permit> p = limits.tryAcquire(destination, SETTINGS, metrics); p.isPresent();
             p = limits.tryAcquire(destination, SETTINGS, metrics)) {
            permits.add(p.get());
        }
        return permits;
    }

    private int gauge(String name, String destination) {
        return metricFactory.countFor(name + "." + DeliveryMetrics.token(destination));
    }

    @Test
    void everyMailetShouldShareOneWindowPerDestination() {
        DeliveryMetrics secondMailet = new DeliveryMetrics(new RecordingMetricFactory());
        List<DestinationLimits.Permit> first = acquireAll(STORE);

        assertThat(first).hasSize(5);
        assertThat(limits.tryAcquire(STORE, SETTINGS, secondMailet)).isEmpty();
        assertThat(limits.tryAcquire(OTHER, SETTINGS, secondMailet)).isPresent();
        first.get(0).close();
        assertThat(limits.tryAcquire(STORE, SETTINGS, secondMailet)).isPresent();
        assertThat(limits.inFlight(STORE)).isEqualTo(5);
    }

    @Test
    void feedbackShouldMoveTheWindowAndItsGauges() {
        List<DestinationLimits.Permit> permits = acquireAll(STORE);
        assertThat(gauge(DeliveryMetrics.DESTINATION_WINDOW, STORE)).isEqualTo(5);
        assertThat(gauge(DeliveryMetrics.DESTINATION_DEAD, STORE)).isZero();

        permits.get(0).told(STORE, ANSWERED);
        assertThat(limits.window(STORE)).contains(6);
        assertThat(gauge(DeliveryMetrics.DESTINATION_WINDOW, STORE)).isEqualTo(6);

        permits.add(limits.tryAcquire(STORE, SETTINGS, metrics).orElseThrow()); // the sixth
        // windows 6, 5, 4, 3: 1/6 + 1/5 + 1/4 + 1/3 < 1 failed pseudo-cohort; then 1/2 more: dead
        for (int i = 1; i <= 5; i++) {
            permits.get(i).told(STORE, REFUSED);
            assertThat(gauge(DeliveryMetrics.DESTINATION_DEAD, STORE)).isEqualTo(i == 5 ? 1 : 0);
        }
        assertThat(limits.window(STORE)).contains(0);
        assertThat(gauge(DeliveryMetrics.DESTINATION_WINDOW, STORE)).isZero();
        assertThat(gauge(DeliveryMetrics.DESTINATION_DEAD, STORE)).isEqualTo(1);
        assertThat(limits.tryAcquire(STORE, SETTINGS, metrics)).isEmpty();
    }

    @Test
    void feedbackShouldCountOnceAndOnlyForThePermitsDestination() {
        DestinationLimits.Permit permit = acquireAll(STORE).get(0);

        permit.told(OTHER, REFUSED); // another destination of a mail without a route
        assertThat(limits.window(STORE)).contains(5);
        permit.told(STORE, REFUSED);
        permit.told(STORE, REFUSED);
        assertThat(limits.window(STORE)).contains(4);
    }

    @Test
    void deadDestinationShouldBeProbedAfterItsDeadTimeAndMailPutAsideUntilThen() {
        DestinationWindow.Settings dieAtOnce = new DestinationWindow.Settings(10, new DestinationConcurrency(1,
                DestinationConcurrency.DEFAULTS.positiveFeedback(), DestinationConcurrency.DEFAULTS.negativeFeedback(), 1),
                Duration.ofMinutes(1), RetryJitter.NONE);
        try (DestinationLimits.Permit permit = limits.tryAcquire(STORE, dieAtOnce, metrics).orElseThrow()) {
            permit.told(STORE, REFUSED);
        }
        // t = 0: dead, mail put aside until the probe
        assertThat(limits.busyDelay(STORE)).isEqualTo(Duration.ofMinutes(1));
        // t = 50 s
        nanos.addAndGet(Duration.ofSeconds(50).toNanos());
        assertThat(limits.busyDelay(STORE)).isEqualTo(Duration.ofSeconds(10));
        assertThat(limits.tryAcquire(STORE, dieAtOnce, metrics)).isEmpty();
        // t = 60 s: the probe, alone
        nanos.addAndGet(Duration.ofSeconds(10).toNanos());
        DestinationLimits.Permit probe = limits.tryAcquire(STORE, dieAtOnce, metrics).orElseThrow();
        assertThat(limits.tryAcquire(STORE, dieAtOnce, metrics)).isEmpty();
        assertThat(limits.busyDelay(STORE)).isEqualTo(DestinationLimits.MIN_BUSY_DELAY);
        probe.told(STORE, ANSWERED);
        probe.close();
        assertThat(gauge(DeliveryMetrics.DESTINATION_DEAD, STORE)).isZero();
        assertThat(gauge(DeliveryMetrics.DESTINATION_WINDOW, STORE)).isEqualTo(1);
    }

    @Test
    void theLastConsumerToStopShouldForgetEveryWindowAndZeroItsGauges() {
        limits.retain();
        limits.retain();
        acquireAll(STORE).get(0).told(STORE, REFUSED);

        limits.release();
        assertThat(limits.window(STORE)).contains(4);
        limits.release();
        assertThat(limits.window(STORE)).isEmpty();
        assertThat(gauge(DeliveryMetrics.DESTINATION_WINDOW, STORE)).isZero();
        assertThat(acquireAll(STORE)).hasSize(5);
    }
}
