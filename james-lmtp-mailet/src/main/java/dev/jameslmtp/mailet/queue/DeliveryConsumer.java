package dev.jameslmtp.mailet.queue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.queue.api.MailQueue;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.mailet.attempt.AttemptMdc;
import dev.jameslmtp.mailet.attempt.DeliveryAttempt;
import dev.jameslmtp.mailet.attempt.DeliveryMetrics;
import dev.jameslmtp.mailet.attempt.MailCopies;
import dev.jameslmtp.mailet.attempt.MailOutcomes;
import dev.jameslmtp.mailet.attempt.OpenSessions;
import dev.jameslmtp.mailet.attempt.UnstoredRecipientsException;
import dev.jameslmtp.mailet.journal.AttemptMarks;
import dev.jameslmtp.mailet.journal.DeliveryJournal;
import dev.jameslmtp.mailet.journal.MailJournal;
import dev.jameslmtp.mailet.report.Bounces;

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
 * by the windows.
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
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);
    private static final Logger LOGGER = LoggerFactory.getLogger(DeliveryConsumer.class);

    private final MailQueue queue;
    private final DeliveryAttempt attempt;
    private final DestinationLimits limits;
    private final DestinationWindow.Settings window;
    private final MailetContext context;
    private final DeliveryMetrics metrics;
    private final DeliveryJournal journal;
    private final Backlog backlog;
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
        this.context = context;
        this.metrics = metrics;
        this.shutdownGrace = shutdownGrace;
        this.journal = journal;
        this.backlog = new Backlog(BACKLOG_PER_SLOT * window.limit());
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
                    handBack(item, busyDelay(destination), "it waited " + BACKLOG_WAIT + " in the backlog of " + destination));
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
                handBack(item, busyDelay(destination), destination + " is at its concurrency window or dead, and its backlog is full");
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
                    process(item, permit);
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
        handBack(item, Duration.ZERO, "LmtpDelivery is stopping");
    }

    /** Puts an unattempted mail back on the queue after {@code delay}; if the queue refuses, asks it to keep the item. */
    private void handBack(MailQueue.MailQueueItem item, Duration delay, String why) {
        Mail mail = item.getMail();
        try {
            LOGGER.debug("Mail {} goes back on the queue for {}: {}", mail.getName(), delay, why);
            queue.enQueue(mail, delay);
            acknowledge(item, mail, MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
        } catch (Exception e) {
            LOGGER.warn("Could not put mail {} back on the queue ({}); asking the queue to keep it", mail.getName(), why, e);
            acknowledge(item, mail, MailQueue.MailQueueItem.CompletionStatus.RETRY);
        } finally {
            LifecycleUtil.dispose(mail);
        }
    }

    /**
     * One queue item, synchronously: the attempt, then the acknowledgement, each with its own
     * failure handling. A failed acknowledgement is only logged: the attempt's outcomes were
     * carried out already (deferred recipients are back on the queue), so nothing is put back
     * again; the queue may hand the mail out again, which is the queue's own redelivery.
     *
     * <p>The mail's {@link DeliveryJournal delivery journal} (files or James's blob store: the same
     * here) is read first: a mail handed out again after James died in an attempt (or after a
     * failed acknowledgement), on this node or another one sharing the journal, is attempted only
     * for the recipients without a mark; the marked ones are logged and left alone. The journal is
     * synced before the acknowledgement and settled once the queue took it. A second copy of a mail
     * left on the queue by a kill (same journal id) is acknowledged without an attempt once the
     * first is settled, and handed back for later while the first is in an attempt.
     */
    public void process(MailQueue.MailQueueItem item) {
        process(item, StoreFeedback.Listener.NONE);
    }

    /** As {@link #process(MailQueue.MailQueueItem)}, telling {@code feedback} what the attempt found of the stores. */
    private void process(MailQueue.MailQueueItem item, StoreFeedback.Listener feedback) {
        Mail mail = item.getMail();
        Optional<MailJournal> held = journal.tryOpen(mail);
        if (held.isEmpty()) {
            handBack(item, busyDelay(QueueIntake.destinationKey(mail)),
                    "another copy of it, left on the queue a second time when James was stopped, is in an attempt");
            return;
        }
        try (AttemptMdc m = AttemptMdc.mail(mail);
             AttemptMdc a = AttemptMdc.open(queue.getName().asString(), Route.text(mail).map(List::of).orElse(List.of()));
             MailJournal marks = held.get()) {
            List<MailAddress> recipients = List.copyOf(mail.getRecipients());
            MailJournal.Reading reading = marks.read(recipients);
            if (reading.settled()) {
                LOGGER.info("Mail {} was settled already: this copy was left on the queue a second time when James was stopped,"
                        + " it is not sent again", mail.getName());
                acknowledge(item, mail, MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
                return;
            }
            Map<Integer, Fate> settled = new HashMap<>(reading.marks());
            if (!UnfinishedPutBacks.putBackAgain(queue, mail, recipients, marks, reading.putBacks(), settled)) {
                marks.sync();
                acknowledge(item, mail, retryAfterPause());
                return;
            }
            List<Integer> open = marks.unsettled(recipients, settled);
            MailQueue.MailQueueItem.CompletionStatus status;
            if (open.isEmpty()) {
                LOGGER.info("Every recipient of mail {} was settled before a restart; nothing to send", mail.getName());
                status = MailQueue.MailQueueItem.CompletionStatus.SUCCESS;
            } else {
                if (open.size() < recipients.size()) {
                    mail.setRecipients(open.stream().map(recipients::get).toList());
                }
                status = attempt(mail, marks.marksFor(open, recipients), feedback);
            }
            if (status == MailQueue.MailQueueItem.CompletionStatus.RETRY) {
                mail.setRecipients(recipients); // the queue keeps the item as it came, marks and all
            }
            marks.sync();
            if (acknowledge(item, mail, status) && status == MailQueue.MailQueueItem.CompletionStatus.SUCCESS) {
                marks.settle();
            }
        } finally {
            LifecycleUtil.dispose(mail);
        }
    }

    private MailQueue.MailQueueItem.CompletionStatus attempt(Mail mail, AttemptMarks marks, StoreFeedback.Listener feedback) {
        try {
            attempt.run(mail, marks, feedback);
            return MailQueue.MailQueueItem.CompletionStatus.SUCCESS;
        } catch (UnstoredRecipientsException e) {
            MailOutcomes outcomes = e.outcomes();
            if (outcomes.with(Fate.DEFERRED).size() == outcomes.fates().size()) {
                LOGGER.error("{}; nothing was delivered or bounced, so the queue is asked to keep the mail", e.getMessage(), e);
                return retryAfterPause();
            }
            LOGGER.error("{}; other recipients were delivered or bounced, so the mail is not handed back whole: these recipients"
                    + " are LOST and must be resent by hand", e.getMessage(), e);
            return MailQueue.MailQueueItem.CompletionStatus.SUCCESS;
        } catch (RuntimeException e) {
            return toErrorProcessor(mail, e);
        }
    }

    /** A bug before the outcomes were carried out: the mail goes to James's error processor as it is, never retried blindly. */
    private MailQueue.MailQueueItem.CompletionStatus toErrorProcessor(Mail mail, RuntimeException cause) {
        LOGGER.error("LMTP delivery of mail {} failed inside James; sending it to the error processor", mail.getName(), cause);
        try {
            MailCopies.send(mail, List.copyOf(mail.getRecipients()), copy -> {
                copy.setAttribute(new Attribute(Bounces.DELIVERY_ERROR, AttributeValue.of("4.3.0 LmtpDelivery failed: " + cause)));
                context.sendMail(copy, Mail.ERROR);
            });
            return MailQueue.MailQueueItem.CompletionStatus.SUCCESS;
        } catch (Exception e) {
            LOGGER.error("Could not send mail {} to the error processor; the queue is asked to keep it", mail.getName(), e);
            return retryAfterPause();
        }
    }

    /**
     * RETRY, after a pause: James can store mail neither on the queue nor in the error processor,
     * and James's memory queue hands a retried mail out again at once, so without the pause the
     * mail would loop hot (and reconnect to the store each time).
     */
    private static MailQueue.MailQueueItem.CompletionStatus retryAfterPause() {
        try {
            Thread.sleep(RETRY_PAUSE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return MailQueue.MailQueueItem.CompletionStatus.RETRY;
    }

    /** True when the queue took the acknowledgement. */
    private static boolean acknowledge(MailQueue.MailQueueItem item, Mail mail, MailQueue.MailQueueItem.CompletionStatus status) {
        try {
            item.done(status);
            return true;
        } catch (Exception e) {
            LOGGER.error("Could not acknowledge mail {} ({}) on the queue; its outcomes stand, nothing is put back again", mail.getName(),
                    status, e);
            return false;
        }
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
