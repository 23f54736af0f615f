package dev.jameslmtp.mailet.queue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.queue.api.MailQueue;
import org.apache.mailet.Mail;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * Holds the mail of one wait queue until it is due, then moves it to the work queue. Every node
 * runs one holder per wait queue; the queue hands each item to one of them.
 *
 * <p>A holder takes at most {@code capacity} items at a time (the RabbitMQ prefetch of the wait
 * queue, and the demand it signals on any queue), each unacknowledged while held, so a node that
 * dies leaves them to the queue, which hands them to another node. Within one wait queue every
 * mail waits about the same time, so the queue's order is about the order of due times, and the
 * items a full holder leaves on the queue are due after the ones it holds.
 *
 * <p>Due: the mail goes on the work queue, then the item is acknowledged (a node that dies between
 * the two leaves one item twice, which the delivery journal sends once). If the work queue refuses,
 * the holder tries again after a pause, and gives the item back before its hold ends. An item not
 * due within {@code holdLimit} (kept under RabbitMQ's {@code consumer_timeout}, 30 minutes by
 * default, past which RabbitMQ closes the channel) goes back on the wait queue, to be held again,
 * as it does when the holder closes ({@link #giveBack}). A mail without a due time is due at once.
 */
final class WaitHolder implements AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(WaitHolder.class);
    private static final Duration FIRST_PAUSE = Duration.ofSeconds(1);
    private static final Duration LAST_PAUSE = Duration.ofSeconds(30);

    private final MailQueue waitQueue;
    private final MailQueue work;
    private final int capacity;
    private final Duration holdLimit;
    private final boolean requeuesInPlace;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    private final Map<MailQueue.MailQueueItem, Held> held = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private volatile Instant flushed = Instant.MIN;
    private Scheduler dequeue;
    private Taker taker;

    WaitHolder(MailQueue waitQueue, MailQueue work, int capacity, Duration holdLimit, Clock clock, ScheduledExecutorService timer) {
        this(waitQueue, work, capacity, holdLimit, clock, timer, false);
    }

    /**
     * @param requeuesInPlace the queue puts an item handed back (RETRY) or left by a closed consumer
     *                        back where it was, without a copy (James's RabbitMQ queue: nack with
     *                        requeue; the channel's unacknowledged messages when it closes)
     */
    WaitHolder(MailQueue waitQueue, MailQueue work, int capacity, Duration holdLimit, Clock clock, ScheduledExecutorService timer,
               boolean requeuesInPlace) {
        this.requeuesInPlace = requeuesInPlace;
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity < 1: " + capacity);
        }
        this.waitQueue = waitQueue;
        this.work = work;
        this.capacity = capacity;
        this.holdLimit = holdLimit;
        this.clock = clock;
        this.timer = timer;
    }

    synchronized void start() {
        dequeue = Schedulers.newSingle("LmtpDelivery-Wait-" + waitQueue.getName().asString());
        taker = new Taker();
        Flux.defer(() -> Flux.from(waitQueue.deQueue()))
                .doOnError(error -> {
                    if (!closed) {
                        LOGGER.error("LmtpDelivery lost its wait queue {}; taking mail again in a second", waitQueue.getName().asString(), error);
                    }
                })
                .retryWhen(Retry.fixedDelay(Long.MAX_VALUE, Duration.ofSeconds(1)).filter(error -> !closed))
                .subscribeOn(dequeue)
                .subscribe(taker);
    }

    /** Items held now. */
    int held() {
        return held.size();
    }

    private void hold(MailQueue.MailQueueItem item) {
        if (closed) {
            giveBack(item);
            return;
        }
        Instant taken = clock.instant();
        held.put(item, new Held(taken));
        schedule(item, flushed(item) ? Duration.ZERO : Duration.between(taken, WaitQueues.due(item.getMail()).orElse(taken)), FIRST_PAUSE);
    }

    /** True when {@code item} was put on the wait queue before the last {@link #flush}. */
    private boolean flushed(MailQueue.MailQueueItem item) {
        return !WaitQueues.since(item.getMail()).orElse(Instant.MAX).isAfter(flushed);
    }

    /** Makes every mail put on the wait queue until {@code until} due now: held or taken later. */
    void flush(Instant until) {
        if (until.isAfter(flushed)) {
            flushed = until;
        }
        held.forEach((item, hold) -> {
            if (flushed(item)) {
                ScheduledFuture<?> timed = hold.timer;
                if (timed == null || timed.cancel(false)) {
                    schedule(item, Duration.ZERO, FIRST_PAUSE);
                }
            }
        });
    }

    /** Moves {@code item} in {@code untilDue}, or gives it back when its hold ends first. */
    private void schedule(MailQueue.MailQueueItem item, Duration untilDue, Duration pause) {
        Held hold = held.get(item);
        if (hold == null) {
            return;
        }
        Duration left = holdLimit.minus(Duration.between(hold.taken, clock.instant()));
        try {
            if (untilDue.compareTo(left) <= 0) {
                hold.timer = timer.schedule(() -> move(item, pause), Math.max(0, untilDue.toNanos()), TimeUnit.NANOSECONDS);
            } else {
                hold.timer = timer.schedule(() -> release(item, this::giveBack), Math.max(0, left.toNanos()), TimeUnit.NANOSECONDS);
            }
        } catch (RejectedExecutionException e) {
            release(item, this::giveBack);
        }
    }

    /** Due: onto the work queue, then acknowledged; on a refusal, again after a pause. */
    private void move(MailQueue.MailQueueItem item, Duration pause) {
        if (closed) {
            release(item, this::giveBack);
            return;
        }
        Mail mail = item.getMail();
        try {
            mail.removeAttribute(WaitQueues.DUE);
            work.enQueue(mail);
        } catch (Exception e) {
            LOGGER.warn("Could not move mail {} from {} to the work queue; trying again in {}", mail.getName(),
                    waitQueue.getName().asString(), pause, e);
            Duration next = pause.multipliedBy(2).compareTo(LAST_PAUSE) > 0 ? LAST_PAUSE : pause.multipliedBy(2);
            schedule(item, pause, next);
            return;
        }
        release(item, this::acknowledge);
    }

    private void release(MailQueue.MailQueueItem item, Consumer<MailQueue.MailQueueItem> how) {
        if (held.remove(item) == null) {
            return;
        }
        try {
            how.accept(item);
        } finally {
            LifecycleUtil.dispose(item.getMail());
            if (!closed) {
                taker.more();
            }
        }
    }

    private void acknowledge(MailQueue.MailQueueItem item) {
        try {
            item.done(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
        } catch (Exception e) {
            LOGGER.error("Could not acknowledge mail {} on {} after moving it to the work queue; should the queue hand it out again,"
                    + " the delivery journal sends it once", item.getMail().getName(), waitQueue.getName().asString(), e);
        }
    }

    /**
     * Back on the wait queue, due time and all. Where the queue requeues in place (RabbitMQ), the
     * item itself (RETRY): no copy, so never two items of one mail. Elsewhere a new item, then the
     * old one acknowledged (a rollback would count as a redelivery on ActiveMQ, which dead-letters
     * an item redelivered too often); if the queue refuses the new item, the old one is kept (RETRY).
     */
    private void giveBack(MailQueue.MailQueueItem item) {
        Mail mail = item.getMail();
        if (requeuesInPlace) {
            retry(item);
            return;
        }
        try {
            waitQueue.enQueue(mail);
        } catch (Exception e) {
            LOGGER.warn("Could not put mail {} back on {}; the queue is asked to keep it", mail.getName(), waitQueue.getName().asString(), e);
            retry(item);
            return;
        }
        acknowledge(item);
    }

    private void retry(MailQueue.MailQueueItem item) {
        try {
            item.done(MailQueue.MailQueueItem.CompletionStatus.RETRY);
        } catch (Exception e) {
            LOGGER.error("Could not hand mail {} back to {}; the queue hands it out again when this node's channel closes",
                    item.getMail().getName(), waitQueue.getName().asString(), e);
        }
    }

    /**
     * Stops taking mail and gives back every item held: where the queue requeues in place, by
     * leaving it unacknowledged to the closed consumer (RabbitMQ puts it back where it was; a copy
     * as well would be a second item of the mail, which two nodes could attempt at once); elsewhere
     * as at the end of a hold.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (taker != null) {
            taker.dispose();
        }
        if (dequeue != null) {
            dequeue.dispose();
        }
        held.forEach((item, hold) -> {
            ScheduledFuture<?> timed = hold.timer;
            if (timed != null) {
                timed.cancel(false);
            }
            release(item, requeuesInPlace ? left -> { } : this::giveBack);
        });
    }

    /** When an item was taken, and its next step on the timer. */
    private static final class Held {
        final Instant taken;
        volatile ScheduledFuture<?> timer;

        Held(Instant taken) {
            this.taken = taken;
        }
    }

    /** Takes items while fewer than {@code capacity} are held. */
    private final class Taker extends BaseSubscriber<MailQueue.MailQueueItem> {

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            subscription.request(capacity);
        }

        @Override
        protected void hookOnNext(MailQueue.MailQueueItem item) {
            try {
                hold(item);
            } catch (RuntimeException e) {
                LOGGER.error("LmtpDelivery could not hold mail {} from {}", item.getMail().getName(), waitQueue.getName().asString(), e);
            }
        }

        void more() {
            request(1);
        }
    }
}
