package dev.jameslmtp.mailet;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.queue.api.MailQueue;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Takes mail off the outgoing queue and runs a {@link DeliveryAttempt} on each, as
 * RemoteDelivery's {@code DeliveryRunnable} does, with at most {@code concurrency} attempts in
 * flight per destination (mail is grouped by the destination of its first recipient; the mailet
 * enqueues one mail per destination).
 *
 * <p>An attempt that throws (a James queue failure, or a bug) is logged at ERROR and the whole
 * mail is put back on the queue after {@code fallbackDelay}, rather than being marked for an
 * immediate retry, which loops hot on the memory queue. {@link #dispose()} stops taking mail and
 * waits, bounded, for the attempts in flight.
 */
final class DeliveryConsumer {

    private static final Logger LOGGER = LoggerFactory.getLogger(DeliveryConsumer.class);
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);

    private final MailQueue queue;
    private final DeliveryAttempt attempt;
    private final Function<Mail, String> destinationKey;
    private final int concurrency;
    private final int threads;
    private final Duration fallbackDelay;
    private final MailetContext context;
    private Disposable subscription;
    private Scheduler dequeueScheduler;
    private Scheduler processScheduler;

    DeliveryConsumer(MailQueue queue, DeliveryAttempt attempt, Function<Mail, String> destinationKey, int concurrency,
                     int destinations, Duration fallbackDelay, MailetContext context) {
        this.queue = queue;
        this.attempt = attempt;
        this.destinationKey = destinationKey;
        this.concurrency = concurrency;
        this.threads = Math.min(1024, concurrency * (destinations + 1));
        this.fallbackDelay = fallbackDelay;
        this.context = context;
    }

    synchronized void start() {
        if (subscription != null) {
            throw new IllegalStateException("already started");
        }
        processScheduler = Schedulers.newBoundedElastic(threads, Integer.MAX_VALUE, "LmtpDelivery-Process");
        dequeueScheduler = Schedulers.newSingle("LmtpDelivery-Dequeue");
        subscription = Flux.from(queue.deQueue())
                .groupBy(item -> destinationKey.apply(item.getMail()))
                .flatMap(group -> group.flatMap(item -> Mono.fromRunnable(() -> process(item)).subscribeOn(processScheduler), concurrency),
                        Integer.MAX_VALUE)
                .onErrorContinue((error, item) -> LOGGER.error("Exception caught in LmtpDelivery", error))
                .subscribeOn(dequeueScheduler)
                .subscribe();
    }

    /**
     * One queue item, synchronously: the attempt, then the acknowledgement, each with its own
     * failure handling. A failed acknowledgement is only logged: the attempt's outcomes were
     * carried out already (deferred recipients are back on the queue), so nothing is put back
     * again; the queue may hand the mail out again, which is the queue's own redelivery.
     */
    void process(MailQueue.MailQueueItem item) {
        Mail mail = item.getMail();
        try (MDC.MDCCloseable m = MDC.putCloseable("mail", mail.getName());
             MDC.MDCCloseable r = MDC.putCloseable("recipients", mail.getRecipients().toString());
             MDC.MDCCloseable s = MDC.putCloseable("sender", mail.getMaybeSender().asString())) {
            acknowledge(item, mail, attempt(mail));
        } finally {
            LifecycleUtil.dispose(mail);
        }
    }

    private MailQueue.MailQueueItem.CompletionStatus attempt(Mail mail) {
        try {
            attempt.run(mail);
            return MailQueue.MailQueueItem.CompletionStatus.SUCCESS;
        } catch (UnstoredRecipientsException e) {
            MailOutcomes outcomes = e.outcomes();
            if (outcomes.with(Fate.DEFERRED).size() == outcomes.fates().size()) {
                LOGGER.error("{}; nothing was delivered or bounced, so the queue is asked to keep the mail", e.getMessage(), e);
                return MailQueue.MailQueueItem.CompletionStatus.RETRY;
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
            return MailQueue.MailQueueItem.CompletionStatus.RETRY;
        }
    }

    private static void acknowledge(MailQueue.MailQueueItem item, Mail mail, MailQueue.MailQueueItem.CompletionStatus status) {
        try {
            item.done(status);
        } catch (Exception e) {
            LOGGER.error("Could not acknowledge mail {} ({}) on the queue; its outcomes stand, nothing is put back again", mail.getName(),
                    status, e);
        }
    }

    synchronized void dispose() {
        if (subscription == null) {
            return;
        }
        subscription.dispose();
        dequeueScheduler.dispose();
        processScheduler.disposeGracefully()
                .timeout(SHUTDOWN_GRACE)
                .onErrorResume(e -> Mono.empty())
                .block();
        subscription = null;
    }
}
