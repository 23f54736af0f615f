package dev.jameslmtp.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.Disposition;
import dev.jameslmtp.client.Reply;
import dev.jameslmtp.client.Stage;
import dev.jameslmtp.client.Verdict;
import dev.jameslmtp.testing.MutableClock;

/** Lifetimes per kind of answer, the size bound and coalescing, with a clock the test moves. */
class VerificationCacheTest {

    private static final Duration POSITIVE = Duration.ofHours(1);
    private static final Duration NEGATIVE = Duration.ofMinutes(5);
    private static final Verdict ACCEPTED = verdict(Disposition.DELIVERED, "250 2.1.5 Ok");
    private static final Verdict REFUSED = verdict(Disposition.PERMANENT_FAILURE, "550 5.1.1 User doesn't exist");
    private static final Verdict DEFERRED = verdict(Disposition.TEMPORARY_FAILURE, "451 4.3.0 Try later");

    private final MutableClock clock = new MutableClock();
    private final AtomicInteger probes = new AtomicInteger();
    private final ExecutorService executor = Executors.newFixedThreadPool(8);
    private final CountDownLatch probeStarted = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stopExecutor() throws InterruptedException {
        executor.shutdownNow();
        assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    private static Verdict verdict(Disposition disposition, String reply) {
        Reply parsed = Reply.of(Integer.parseInt(reply.substring(0, 3)), reply.substring(4));
        return new Verdict(disposition, Stage.RCPT, Optional.of(parsed), parsed.status(), parsed.text());
    }

    private Supplier<Verdict> counting(Verdict answer) {
        return () -> {
            probes.incrementAndGet();
            return answer;
        };
    }

    /** A counted probe that signals {@link #probeStarted} and answers {@code answer} only once {@link #release} is counted down. */
    private Supplier<Verdict> held(Verdict answer) {
        return () -> {
            probes.incrementAndGet();
            probeStarted.countDown();
            await(release);
            return answer;
        };
    }

    private VerificationCache cache(int maxSize) {
        return new VerificationCache(clock, POSITIVE, NEGATIVE, maxSize);
    }

    @Test
    void verifyShouldRememberAnAcceptanceForThePositiveExpireTime() {
        VerificationCache cache = cache(10);

        cache.verify("alice@example.test", counting(ACCEPTED));
        clock.advance(POSITIVE.minusSeconds(1));                 // t = 59:59, still remembered
        assertThat(cache.verify("alice@example.test", counting(REFUSED))).isEqualTo(ACCEPTED);
        assertThat(probes).hasValue(1);

        clock.advance(Duration.ofSeconds(1));                    // t = 1:00:00, expired
        assertThat(cache.verify("alice@example.test", counting(REFUSED))).isEqualTo(REFUSED);
        assertThat(probes).hasValue(2);
    }

    @Test
    void verifyShouldRememberARefusalForTheNegativeExpireTimeOnly() {
        VerificationCache cache = cache(10);

        cache.verify("bob@example.test", counting(REFUSED));
        clock.advance(NEGATIVE.minusSeconds(1));                 // t = 4:59
        assertThat(cache.verify("bob@example.test", counting(ACCEPTED))).isEqualTo(REFUSED);

        clock.advance(Duration.ofSeconds(1));                    // t = 5:00: the user may have been created
        assertThat(cache.verify("bob@example.test", counting(ACCEPTED))).isEqualTo(ACCEPTED);
        assertThat(probes).hasValue(2);
    }

    @Test
    void verifyShouldNeverRememberATemporaryFailure() {
        VerificationCache cache = cache(10);

        cache.verify("carol@example.test", counting(DEFERRED));
        assertThat(cache.verify("carol@example.test", counting(ACCEPTED))).isEqualTo(ACCEPTED);
        assertThat(probes).hasValue(2);
    }

    @Test
    void verifyShouldForgetTheLeastRecentlyUsedAddressBeyondTheBound() {
        VerificationCache cache = cache(2);

        cache.verify("a@example.test", counting(ACCEPTED));
        cache.verify("b@example.test", counting(ACCEPTED));
        cache.verify("a@example.test", counting(ACCEPTED));     // a is now the most recently used
        cache.verify("c@example.test", counting(ACCEPTED));     // pushes b out
        assertThat(probes).hasValue(3);
        assertThat(cache.size()).isEqualTo(2);

        cache.verify("a@example.test", counting(ACCEPTED));
        assertThat(probes).hasValue(3);
        cache.verify("b@example.test", counting(ACCEPTED));
        assertThat(probes).hasValue(4);
    }

    @Test
    void verifyShouldRememberNothingWhenTheSizeIsZero() {
        VerificationCache cache = cache(0);

        cache.verify("a@example.test", counting(ACCEPTED));
        cache.verify("a@example.test", counting(ACCEPTED));

        assertThat(probes).hasValue(2);
        assertThat(cache.size()).isZero();
    }

    @Test
    void verifyShouldRunOneProbeWhenManySessionsAskForOneAddressAtOnce() throws Exception {
        VerificationCache cache = cache(0);                      // nothing remembered: only coalescing can save probes
        Supplier<Verdict> slowProbe = held(ACCEPTED);
        Future<Verdict> first = executor.submit(() -> cache.verify("alice@example.test", slowProbe));
        assertThat(probeStarted.await(10, TimeUnit.SECONDS)).isTrue();

        List<Future<Verdict>> others = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            others.add(executor.submit(() -> cache.verify("alice@example.test", slowProbe)));
        }
        awaitWaiting(cache, 5);
        release.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(ACCEPTED);
        for (Future<Verdict> other : others) {
            assertThat(other.get(10, TimeUnit.SECONDS)).isEqualTo(ACCEPTED);
        }
        assertThat(probes).hasValue(1);
    }

    @Test
    void verifyShouldShareATemporaryFailureWithTheSessionsWaitingForItButNotKeepIt() throws Exception {
        VerificationCache cache = cache(10);
        Supplier<Verdict> slowProbe = held(DEFERRED);
        Future<Verdict> first = executor.submit(() -> cache.verify("alice@example.test", slowProbe));
        assertThat(probeStarted.await(10, TimeUnit.SECONDS)).isTrue();
        Future<Verdict> second = executor.submit(() -> cache.verify("alice@example.test", slowProbe));
        awaitWaiting(cache, 1);
        release.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(DEFERRED);
        assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(DEFERRED);
        assertThat(probes).hasValue(1);
        assertThat(cache.size()).isZero();
    }

    @Test
    void verifyShouldPassAProbeExceptionToItsCallerAndRememberNothing() {
        VerificationCache cache = cache(10);

        assertThatThrownBy(() -> cache.verify("x@example.test", () -> {
            throw new IllegalArgumentException("address has a control character");
        })).isInstanceOf(IllegalArgumentException.class);
        assertThat(cache.verify("x@example.test", counting(ACCEPTED))).isEqualTo(ACCEPTED);
    }

    private static void awaitWaiting(VerificationCache cache, int callers) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (cache.waiting() < callers) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(cache.waiting() + " callers waiting, expected " + callers);
            }
            Thread.sleep(10);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
