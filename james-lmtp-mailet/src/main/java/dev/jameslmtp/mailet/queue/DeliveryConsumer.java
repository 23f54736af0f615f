package dev.jameslmtp.mailet.queue;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.queue.api.MailQueue;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.mailet.attempt.DeliveryAttempt;
import dev.jameslmtp.mailet.attempt.DeliveryMetrics;
import dev.jameslmtp.mailet.attempt.OpenSessions;
import dev.jameslmtp.mailet.journal.DeliveryJournal;

import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * Takes mail off the outgoing queue and runs a {@link DeliveryAttempt} on each, with at most
 * as many attempts in flight per destination as its {@link DestinationWindow} allows (never more
 * than {@code concurrency}; none while it is dead but its probe), counted across every LmtpDelivery
 * of the JVM ({@link DestinationLimits}). The destination of a queued mail is its {@link Route};
 * each attempt tells its permit what the store did ({@link StoreFeedback}), which moves the window.
 *
 * <p>Taking mail off the queue never waits for a destination. A mail whose destination is at its
 * window or dead (counted by {@code lmtpDeliveryDestinationBusy}) waits in a bounded {@link Backlog} of
 * {@value #BACKLOG_PER_SLOT} × {@code concurrency} items in all, unacknowledged, and starts as soon
 * as an attempt to that destination ends; when the backlog is full, or the mail has waited there
 * {@link #BACKLOG_WAIT}, it is put back on the queue with a delay ({@link DestinationLimits#busyDelay}:
 * short for a busy store, until the probe for a dead one; spread by {@code retryJitter}; on a queue
 * that cannot delay, through {@link WaitQueues}). So a slow or dead store holds at most
 * {@code concurrency} attempts and the backlog, and mail for every other store keeps flowing: the
 * queue's prefetch ({@link #prefetch}, RabbitMQ's unacknowledged items per consumer) is twice what
 * one stalled store can hold. A tick every {@code 250 ms} also drains the backlogs (for a slot
 * freed by another mailet, or a probe that is due). Each attempt runs on its own thread, bounded
 * by the windows, as a {@link JournaledAttempt} (the journal read, the attempt, the sync and the
 * acknowledgement); mail put aside goes back through {@link PutBack}.
 *
 * <p>{@link #dispose()}: stop taking mail; wait up to the grace for the attempts in flight; then
 * close their LMTP sessions under them ({@link OpenSessions}), so that each attempt ends at once:
 * recipients with a final reply keep it, the others are deferred and put back on the queue, which
 * is still open; then wait a little more. An attempt still opening a session then (connect,
 * greeting, LHLO) is logged and left: its mail was not acknowledged, so a persistent queue hands
 * it out again after a restart.
 */
public final class DeliveryConsumer {

    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);
    public static final int BACKLOG_PER_SLOT = 4;
    /** How long a mail waits in the backlog before it goes back on the queue: well under RabbitMQ's {@code consumer_timeout}. */
    static final Duration BACKLOG_WAIT = Duration.ofMinutes(10);
    private static final Duration BACKLOG_TICK = Duration.ofMillis(250);
    private static final Duration ABORT_GRACE = Duration.ofSeconds(5);
    private static final Logger LOGGER = LoggerFactory.getLogger(DeliveryConsumer.class);

    private final MailQueue queue;
    private final DeliveryAttempt attempt;
    private final DestinationLimits limits;
    private final DestinationWindow.Settings window;
    private final DeliveryMetrics metrics;
    private final Backlog backlog;
    private final PutBack putBack;
    private final JournaledAttempt items;
    private volatile Duration shutdownGrace;
    private volatile boolean stopping;
    private Disposable subscription;
    private Disposable backlogTick;
    private Scheduler dequeueScheduler;
    private ExecutorService attempts;

    public DeliveryConsumer(MailQueue queue, DeliveryAttempt attempt, DestinationLimits limits, DestinationWindow.Settings window,
                     MailetContext context, DeliveryMetrics metrics, Duration shutdownGrace, DeliveryJournal journal) {
        this.queue = queue;
        this.attempt = attempt;
        this.limits = limits;
        this.window = window;
        this.metrics = metrics;
        this.shutdownGrace = shutdownGrace;
        this.backlog = new Backlog(BACKLOG_PER_SLOT * window.limit());
        this.putBack = new PutBack(queue, context, metrics::putBackFailed);
        this.items = new JournaledAttempt(attempt, journal, putBack, this::busyDelay);
    }

    /**
     * The prefetch for a mailet of {@code concurrency}: room for one stalled store's attempts and
     * the whole backlog, twice over, so that the mail of other stores is always taken.
     */
    public static int prefetch(int concurrency) {
        return 2 * (1 + BACKLOG_PER_SLOT) * concurrency;
    }

    public void shutdownGrace(Duration grace) {
        this.shutdownGrace = grace;
    }

    public synchronized void start() {
        if (subscription != null) {
            throw new IllegalStateException("already started");
        }
        limits.retain();
        AtomicInteger threads = new AtomicInteger();
        attempts = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "LmtpDelivery-Attempt-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        dequeueScheduler = Schedulers.newSingle("LmtpDelivery-Dequeue");
        subscription = Flux.defer(() -> Flux.from(queue.deQueue()))
                .doOnNext(this::dispatch)
                .doOnError(error -> {
                    if (!stopping) {
                        LOGGER.error("LmtpDelivery lost its queue; taking mail again in a second", error);
                    }
                })
                .retryWhen(Retry.fixedDelay(Long.MAX_VALUE, Duration.ofSeconds(1)).filter(error -> !stopping))
                .subscribeOn(dequeueScheduler)
                .subscribe();
        backlogTick = Flux.interval(BACKLOG_TICK).subscribe(tick -> backlog.destinations().forEach(destination -> {
            drain(destination);
            backlog.expired(destination, System.nanoTime() - BACKLOG_WAIT.toNanos()).forEach(item ->
                    putBack.handBack(item, busyDelay(destination), "it waited " + BACKLOG_WAIT + " in the backlog of " + destination));
        }));
    }

    /** On the dequeue thread, quickly: start an attempt, or let the mail wait while its destination is busy. */
    private void dispatch(MailQueue.MailQueueItem item) {
        try {
            String destination = QueueIntake.destinationKey(item.getMail());
            if (stopping) {
                leaveAtStop(item);
                return;
            }
            if (backlog.isEmpty(destination)) {
                Optional<DestinationLimits.Permit> permit = limits.tryAcquire(destination, window, metrics);
                if (permit.isPresent()) {
                    start(destination, item, permit.get());
                    return;
                }
            }
            metrics.destinationBusy();
            if (!backlog.offer(destination, item, System.nanoTime())) {
                putBack.handBack(item, busyDelay(destination), destination + " is at its concurrency window or dead, and its backlog is full");
                return;
            }
            drain(destination);
        } catch (RuntimeException e) {
            LOGGER.error("Exception caught in LmtpDelivery while taking mail {} off the queue", item.getMail().getName(), e);
        }
    }

    /**
     * Starts attempts for the mail waiting for {@code destination} while it has free slots. Called
     * after each offer, after each attempt and by the tick, so that no mail waits while a slot is
     * free: an offer is followed by a try for a slot, a freed slot by a look at the backlog.
     */
    private void drain(String destination) {
        while (!backlog.isEmpty(destination)) {
            if (stopping) {
                for (MailQueue.MailQueueItem item = backlog.poll(destination); item != null; item = backlog.poll(destination)) {
                    leaveAtStop(item);
                }
                return;
            }
            Optional<DestinationLimits.Permit> permit = limits.tryAcquire(destination, window, metrics);
            if (permit.isEmpty()) {
                return;
            }
            MailQueue.MailQueueItem item = backlog.poll(destination);
            if (item == null) {
                permit.get().close();
            } else {
                start(destination, item, permit.get());
            }
        }
    }

    private void start(String destination, MailQueue.MailQueueItem item, DestinationLimits.Permit permit) {
        try {
            attempts.execute(() -> {
                try (permit) {
                    items.process(item, permit);
                }
                drain(destination);
            });
        } catch (RejectedExecutionException e) {
            permit.close();
            leaveAtStop(item);
        }
    }

    /** How long to put aside mail for a busy or dead destination, spread by {@code retryJitter}. */
    private Duration busyDelay(String destination) {
        return window.jitter().spread(limits.busyDelay(destination), ThreadLocalRandom.current().nextDouble());
    }

    /**
     * An unattempted mail while stopping: on a queue that puts back in place what a closed consumer
     * leaves unacknowledged (RabbitMQ), left so, since a copy as well would be a second item of the
     * mail that two nodes could attempt at once; elsewhere put back on the queue.
     */
    private void leaveAtStop(MailQueue.MailQueueItem item) {
        if (WaitQueues.requeuesInPlace(queue)) {
            LOGGER.debug("Mail {} is left to the queue, unacknowledged: LmtpDelivery is stopping", item.getMail().getName());
            LifecycleUtil.dispose(item.getMail());
            return;
        }
        putBack.handBack(item, Duration.ZERO, "LmtpDelivery is stopping");
    }

    /** One queue item, synchronously: {@link JournaledAttempt#process}. */
    public void process(MailQueue.MailQueueItem item) {
        items.process(item, StoreFeedback.Listener.NONE);
    }

    public synchronized void dispose() {
        if (subscription == null) {
            return;
        }
        stopping = true;
        subscription.dispose();
        backlogTick.dispose();
        dequeueScheduler.dispose();
        backlog.destinations().forEach(this::drain); // hands the waiting mail back while the queue is open
        attempts.shutdown();
        if (!awaitAttempts(shutdownGrace)) {
            int closed = attempt.abortSessions();
            LOGGER.warn("LmtpDelivery stopping: attempts still in flight after {}; closed their {} LMTP session(s): recipients"
                    + " without a final reply are deferred", shutdownGrace, closed);
            if (!awaitAttempts(ABORT_GRACE)) {
                LOGGER.error("LmtpDelivery stopping: attempts still opening an LMTP session after {} more; their mail is left"
                        + " unacknowledged on the queue", ABORT_GRACE);
                attempts.shutdownNow();
            }
        }
        subscription = null;
        limits.release();
    }

    private boolean awaitAttempts(Duration timeout) {
        try {
            return attempts.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
