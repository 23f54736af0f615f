package dev.jameslmtp.mailet;

import java.time.Duration;
import java.util.function.Function;

import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.queue.api.MailQueue;
import org.apache.mailet.Mail;
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
    private Disposable subscription;
    private Scheduler dequeueScheduler;
    private Scheduler processScheduler;

    DeliveryConsumer(MailQueue queue, DeliveryAttempt attempt, Function<Mail, String> destinationKey, int concurrency,
                     int destinations, Duration fallbackDelay) {
        this.queue = queue;
        this.attempt = attempt;
        this.destinationKey = destinationKey;
        this.concurrency = concurrency;
        this.threads = Math.min(1024, concurrency * (destinations + 1));
        this.fallbackDelay = fallbackDelay;
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

    /** One queue item, synchronously: the attempt, then the acknowledgement. */
    void process(MailQueue.MailQueueItem item) {
        Mail mail = item.getMail();
        try (MDC.MDCCloseable m = MDC.putCloseable("mail", mail.getName());
             MDC.MDCCloseable r = MDC.putCloseable("recipients", mail.getRecipients().toString());
             MDC.MDCCloseable s = MDC.putCloseable("sender", mail.getMaybeSender().asString())) {
            attempt.run(mail);
            item.done(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
        } catch (Exception e) {
            putBack(item, mail, e);
        } finally {
            LifecycleUtil.dispose(mail);
        }
    }

    private void putBack(MailQueue.MailQueueItem item, Mail mail, Exception cause) {
        LOGGER.error("LMTP delivery of mail {} failed inside James; putting it back on the queue for {}", mail.getName(), fallbackDelay, cause);
        try {
            queue.enQueue(mail, fallbackDelay);
            item.done(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
        } catch (Exception e) {
            LOGGER.error("Could not put mail {} back on the queue; asking the queue to retry it", mail.getName(), e);
            try {
                item.done(MailQueue.MailQueueItem.CompletionStatus.RETRY);
            } catch (Exception again) {
                LOGGER.error("Could not ask the queue to retry mail {}", mail.getName(), again);
            }
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
