package dev.jameslmtp.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.DestinationList;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.outcome.Verdict;
import dev.jameslmtp.client.session.Stage;
import dev.jameslmtp.client.wire.Reply;

/** The probe pool without sockets: coalescing, the budget, a slow store, the bounded queue, shutdown. */
class ProbesTest {

    private static final Verdict ACCEPTED = new Verdict(Fate.DELIVERED, Stage.RCPT, Optional.of(Reply.of(250, "2.1.5 Ok")),
            Reply.of(250, "2.1.5 Ok").status(), "Ok");
    private static final DestinationList STORE = new DestinationList(List.of(Destination.parse("inet:[127.0.0.1]:2424")));
    private static final DestinationList OTHER_STORE = new DestinationList(List.of(Destination.parse("inet:[127.0.0.1]:2425")));
    private static final Duration GENEROUS = Duration.ofSeconds(5);

    private final AtomicInteger started = new AtomicInteger();
    private final List<Thread> probeThreads = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private Probes probes;

    @AfterEach
    void stop() {
        release.countDown();
        if (probes != null) {
            probes.close();
        }
    }

    private static RecipientKey key(String address) {
        return new RecipientKey(address);
    }

    private Supplier<Verdict> answering() {
        return () -> {
            started.incrementAndGet();
            return ACCEPTED;
        };
    }

    /** A probe that answers only once {@link #release} is counted down (or after a bounded wait). */
    private Supplier<Verdict> held() {
        return () -> {
            started.incrementAndGet();
            probeThreads.add(Thread.currentThread());
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ACCEPTED;
        };
    }

    @Test
    void askShouldAnswerWithTheVerdictWhenTheProbeEndsWithinTheBudget() {
        probes = new Probes(2, 10, GENEROUS);

        assertThat(probes.ask(key("alice@example.test"), STORE, answering())).isEqualTo(new Probes.Answered(ACCEPTED));
    }

    @Test
    void askShouldAnswerInProgressOnceTheBudgetIsSpent() {
        probes = new Probes(2, 10, Duration.ofMillis(50));

        assertThat(probes.ask(key("alice@example.test"), STORE, held())).isInstanceOf(Probes.InProgress.class);
        assertThat(probes.running()).isEqualTo(1);                  // the probe goes on for the next RCPT
    }

    @Test
    void askShouldStartNoSecondProbeAndNotWaitWhileAProbeForTheAddressRuns() {
        probes = new Probes(2, 10, Duration.ofMillis(50));
        probes.ask(key("alice@example.test"), STORE, held());

        Probes.Outcome second = probes.ask(key("alice@example.test"), STORE, answering());

        assertThat(second).isInstanceOf(Probes.InProgress.class);
        assertThat(started).hasValue(1);
    }

    @Test
    void askShouldNotWaitForAProbeToAStoreWhoseEarlierProbeOutlivedTheBudget() throws Exception {
        probes = new Probes(4, 10, Duration.ofMillis(50));
        probes.ask(key("alice@example.test"), STORE, held());          // outlives the budget: the store is slow

        // this probe answers at once, but the caller does not wait for it: InProgress
        assertThat(probes.ask(key("bob@example.test"), STORE, answering())).isInstanceOf(Probes.InProgress.class);
        // another store is not slow
        assertThat(probes.ask(key("carol@example.test"), OTHER_STORE, answering())).isEqualTo(new Probes.Answered(ACCEPTED));

        release.countDown();                                         // the slow probe ends: the store is waited for again
        awaitNoneRunning();
        assertThat(probes.ask(key("dave@example.test"), STORE, answering())).isEqualTo(new Probes.Answered(ACCEPTED));
    }

    @Test
    void askShouldAnswerQueueFullWithoutStartingAProbeWhenThreadsAndQueueAreTaken() {
        probes = new Probes(1, 1, Duration.ZERO);
        probes.ask(key("a@example.test"), STORE, held());             // on the thread
        probes.ask(key("b@example.test"), STORE, held());             // in the queue

        assertThat(probes.ask(key("c@example.test"), STORE, answering())).isInstanceOf(Probes.QueueFull.class);
        assertThat(probes.running()).isEqualTo(2);
    }

    @Test
    void askShouldAnswerALocalFailureWhenTheProbeThrows() {
        probes = new Probes(1, 0, GENEROUS);

        Probes.Outcome outcome = probes.ask(key("x@example.test"), STORE, () -> {
            throw new IllegalStateException("bug");
        });

        assertThat(outcome).isInstanceOfSatisfying(Probes.Answered.class, answered -> {
            assertThat(answered.verdict().fate()).isEqualTo(Fate.DEFERRED);
            assertThat(answered.verdict().status()).hasToString("4.3.0");
        });
        assertThat(probes.running()).isZero();
    }

    @Test
    void closeShouldStopTheProbeThreads() throws Exception {
        probes = new Probes(2, 10, Duration.ZERO);
        probes.ask(key("a@example.test"), STORE, held());
        probes.ask(key("b@example.test"), STORE, held());
        awaitStarted(2);
        assertThat(probeThreads).allSatisfy(thread -> {
            assertThat(thread.getName()).startsWith("lmtp-verify-");
            assertThat(thread.isDaemon()).isTrue();
        });

        probes.close();

        for (Thread thread : probeThreads) {
            thread.join(GENEROUS.toMillis());
            assertThat(thread.isAlive()).as("%s after close", thread.getName()).isFalse();
        }
    }

    private void awaitStarted(int count) throws InterruptedException {
        long deadline = System.nanoTime() + GENEROUS.toNanos();
        while (started.get() < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(started).hasValue(count);
    }

    private void awaitNoneRunning() throws InterruptedException {
        long deadline = System.nanoTime() + GENEROUS.toNanos();
        while (probes.running() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(probes.running()).isZero();
    }
}
