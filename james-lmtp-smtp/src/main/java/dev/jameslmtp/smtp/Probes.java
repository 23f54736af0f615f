package dev.jameslmtp.smtp;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.client.DestinationList;
import dev.jameslmtp.client.outcome.Trouble;
import dev.jameslmtp.client.outcome.Verdict;

/**
 * Where probes run, off James's SMTP network threads, as Postfix's smtpd hands them to verify(8):
 * a bounded pool of {@code probeThreads} daemon threads ({@code lmtp-verify-N}) with a queue of at
 * most {@code probeQueueSize} probes, and the timer ({@code lmtp-verify-deadline}) that ends a
 * probe at its total time.
 *
 * <p>{@link #ask} never blocks its caller longer than {@code verifyBudget}, and not at all when:
 * <ul>
 *   <li>a probe for the same address is running: {@link InProgress} (no second probe, no waiting
 *   for another caller's probe);</li>
 *   <li>the pool and its queue are full: {@link QueueFull};</li>
 *   <li>a probe to the same store has already run past the budget and is still running (the
 *   store is slow or hanging): the probe is started and {@link InProgress} answered at once, so a
 *   hanging store costs each network thread one budget, not one per RCPT.</li>
 * </ul>
 * Otherwise it waits up to the budget for the probe it started: {@link Answered} when it ended in
 * time, else {@link InProgress}. A probe that outlived the budget because it waited in the queue
 * marks its store slow all the same, until it ends: a known cost of a pool shared by all stores.
 * A probe goes on after its caller stopped waiting; what it learns is for the next RCPT (the
 * probe's own code remembers it).
 *
 * <p>{@link #close} stops the threads; probes still queued are dropped. Thread-safe.
 */
final class Probes implements AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(Probes.class);

    /** What {@link #ask} has for the caller now. */
    sealed interface Outcome permits Answered, InProgress, QueueFull {
    }

    /** The probe ended within the budget. */
    record Answered(Verdict verdict) implements Outcome {
    }

    /** A probe for the address runs (perhaps started by this call) and has no answer yet. */
    record InProgress() implements Outcome {
    }

    /** Every probe thread is busy and the queue is full: no probe was started. */
    record QueueFull() implements Outcome {
    }

    private final Duration budget;
    private final ThreadPoolExecutor threads;
    private final ScheduledThreadPoolExecutor timer;
    private final Map<RecipientKey, CompletableFuture<Verdict>> running = new ConcurrentHashMap<>();
    private final Map<DestinationList, Set<CompletableFuture<Verdict>>> overdue = new ConcurrentHashMap<>();

    Probes(int probeThreads, int probeQueueSize, Duration budget) {
        if (probeThreads < 1 || probeQueueSize < 0) {
            throw new IllegalArgumentException("probeThreads < 1 or probeQueueSize < 0: " + probeThreads + ", " + probeQueueSize);
        }
        this.budget = Objects.requireNonNull(budget, "budget");
        BlockingQueue<Runnable> queue = probeQueueSize == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(probeQueueSize);
        this.threads = new ThreadPoolExecutor(probeThreads, probeThreads, 30, TimeUnit.SECONDS, queue, daemons("lmtp-verify-"));
        this.threads.allowCoreThreadTimeOut(true);
        this.timer = new ScheduledThreadPoolExecutor(1, daemons("lmtp-verify-deadline"));
        this.timer.setRemoveOnCancelPolicy(true);
    }

    /** The timer that ends each probe at its total time (see {@code RecipientProbe}). */
    ScheduledExecutorService timer() {
        return timer;
    }

    /**
     * The answer for {@code key} from a probe started now, within the budget; see the class
     * comment for when it answers at once.
     *
     * @param destination the store the probe asks, whose slowness is remembered
     * @param probe       runs on a probe thread; it remembers its own answer for later RCPTs
     */
    Outcome ask(RecipientKey key, DestinationList destination, Supplier<Verdict> probe) {
        CompletableFuture<Verdict> mine = new CompletableFuture<>();
        if (running.putIfAbsent(key, mine) != null) {
            return new InProgress();
        }
        try {
            threads.execute(() -> run(key, mine, probe));
        } catch (RejectedExecutionException e) {
            running.remove(key, mine);
            return new QueueFull();
        }
        if (isSlow(destination)) {
            return new InProgress();
        }
        try {
            return new Answered(mine.get(budget.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            markOverdue(destination, mine);
            return new InProgress();
        } catch (ExecutionException e) {
            return new Answered(Trouble.probeFailed(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new InProgress();
        }
    }

    /** How many probes run or wait in the queue now. */
    int running() {
        return running.size();
    }

    /** Runs a probe; it leaves {@link #running} before its caller hears the answer, so the caller's next ask is a new probe. */
    private void run(RecipientKey key, CompletableFuture<Verdict> future, Supplier<Verdict> probe) {
        Verdict verdict;
        try {
            verdict = probe.get();
        } catch (RuntimeException | Error e) {
            LOGGER.error("Recipient probe for {} failed", key, e);
            running.remove(key, future);
            future.completeExceptionally(e);
            return;
        }
        running.remove(key, future);
        future.complete(verdict);
    }

    private boolean isSlow(DestinationList destination) {
        Set<CompletableFuture<Verdict>> late = overdue.get(destination);
        return late != null && !late.isEmpty();
    }

    /** The store is slow until this probe ends (registered before the check, so an end in between is seen). */
    private void markOverdue(DestinationList destination, CompletableFuture<Verdict> probe) {
        Set<CompletableFuture<Verdict>> late = overdue.computeIfAbsent(destination, d -> ConcurrentHashMap.newKeySet());
        late.add(probe);
        probe.whenComplete((verdict, error) -> late.remove(probe));
    }

    /** Stops the probe threads and the timer; probes in the queue are dropped. */
    @Override
    public void close() {
        threads.shutdownNow();
        timer.shutdownNow();
    }

    private static ThreadFactory daemons(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix.endsWith("-") ? prefix + count.incrementAndGet() : prefix);
            thread.setDaemon(true);
            return thread;
        };
    }
}
