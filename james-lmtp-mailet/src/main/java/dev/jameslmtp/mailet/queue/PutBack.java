package dev.jameslmtp.mailet.queue;

import java.time.Duration;
import java.util.List;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.queue.api.MailQueue;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.client.wire.Transcript;
import dev.jameslmtp.mailet.attempt.MailCopies;
import dev.jameslmtp.mailet.report.Bounces;

/**
 * The one way mail goes back onto the queue, for every path: the deferred recipients of an
 * attempt ({@code OutcomeDispatcher}), a put-back James died in ({@link UnfinishedPutBacks}), and
 * mail put aside unattempted ({@link DeliveryConsumer}: its store busy or dead, its copy in an
 * attempt elsewhere, a stop).
 *
 * <p>A copy of the mail holding the chosen recipients (same name; {@code stamp} sets what the copy
 * carries) is enqueued with its delay, tried {@value #TRIES} times in all, 100 then 200 ms apart,
 * each failure counted ({@code lmtpDeliveryPutBackFailures}) and logged. When the queue refused
 * every try, the caller's {@link Fallback} says what happens, by one rule: while the queue item
 * can still be kept as it came (nothing of it was carried out in this hand-out), the queue keeps
 * it ({@link Fallback#KEEP_THE_ITEM}: {@link #put} throws, the caller acknowledges with RETRY);
 * once part of it was delivered or bounced, the copy goes to James's {@code error} processor
 * ({@link Fallback#ERROR_PROCESSOR}), attribute {@code delivery-error} saying why, where the
 * operator finds it; {@link #put} throws only if that fails too.
 */
public final class PutBack {

    public static final int TRIES = 3;
    private static final Duration PAUSE = Duration.ofMillis(100);
    private static final Logger LOGGER = LoggerFactory.getLogger(PutBack.class);

    /** What happens when the queue refused every try. */
    public enum Fallback { KEEP_THE_ITEM, ERROR_PROCESSOR }

    /** Where the copy went. */
    public enum Stored { QUEUE, ERROR_PROCESSOR }

    private final MailQueue queue;
    private final MailetContext context;
    private final Runnable failureCounter;

    public PutBack(MailQueue queue, MailetContext context, Runnable failureCounter) {
        this.queue = queue;
        this.context = context;
        this.failureCounter = failureCounter;
    }

    /**
     * Puts a copy of {@code mail} holding {@code recipients} back on the queue after {@code delay}.
     *
     * @throws Exception the last refusal (earlier ones suppressed) when the copy is stored nowhere:
     *                   with {@link Fallback#KEEP_THE_ITEM}, once the queue refused every try; with
     *                   {@link Fallback#ERROR_PROCESSOR}, once the error processor refused too
     */
    public Stored put(Mail mail, List<MailAddress> recipients, Duration delay, MailCopies.Sink stamp, Fallback fallback) throws Exception {
        Exception refused = null;
        for (int tries = 1; tries <= TRIES; tries++) {
            try {
                MailCopies.send(mail, recipients, copy -> {
                    stamp.accept(copy);
                    queue.enQueue(copy, delay);
                });
                return Stored.QUEUE;
            } catch (Exception e) {
                if (refused != null) {
                    e.addSuppressed(refused);
                }
                refused = e;
                failureCounter.run();
                LOGGER.warn("Could not put recipients {} of mail {} back on the queue (try {}/{}): {}",
                        Transcript.neutralise(recipients.toString()), mail.getName(), tries, TRIES, e.toString());
                pause(tries);
            }
        }
        if (fallback == Fallback.KEEP_THE_ITEM) {
            throw refused;
        }
        String reason = "4.3.0 could not put deferred recipients back on the LMTP queue: " + refused;
        try {
            toErrorProcessor(mail, recipients, reason, stamp);
        } catch (Exception e) {
            e.addSuppressed(refused);
            throw e;
        }
        LOGGER.error("Recipients {} of mail {} went to the error processor: {}", Transcript.neutralise(recipients.toString()),
                mail.getName(), reason);
        return Stored.ERROR_PROCESSOR;
    }

    /**
     * Sends a copy of {@code mail} holding {@code recipients} (stamped) to James's {@code error}
     * processor, attribute {@code delivery-error} saying why: where the operator finds it.
     *
     * @throws Exception when the processor did not take it
     */
    void toErrorProcessor(Mail mail, List<MailAddress> recipients, String reason, MailCopies.Sink stamp) throws Exception {
        MailCopies.send(mail, recipients, copy -> {
            stamp.accept(copy);
            copy.setAttribute(new Attribute(Bounces.DELIVERY_ERROR, AttributeValue.of(reason)));
            context.sendMail(copy, Mail.ERROR);
        });
    }

    /**
     * Puts an unattempted queue item's mail back on the queue after {@code delay} and acknowledges
     * the item; if the queue refuses, asks it to keep the item (RETRY). Disposes the mail.
     */
    public void handBack(MailQueue.MailQueueItem item, Duration delay, String why) {
        Mail mail = item.getMail();
        try {
            LOGGER.debug("Mail {} goes back on the queue for {}: {}", mail.getName(), delay, why);
            put(mail, List.copyOf(mail.getRecipients()), delay, copy -> { }, Fallback.KEEP_THE_ITEM);
            acknowledge(item, MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
        } catch (Exception e) {
            LOGGER.warn("Could not put mail {} back on the queue ({}); asking the queue to keep it", mail.getName(), why, e);
            acknowledge(item, MailQueue.MailQueueItem.CompletionStatus.RETRY);
        } finally {
            LifecycleUtil.dispose(mail);
        }
    }

    /** Acknowledges {@code item}; true when the queue took the acknowledgement (a failure is logged: the outcomes stand). */
    public static boolean acknowledge(MailQueue.MailQueueItem item, MailQueue.MailQueueItem.CompletionStatus status) {
        try {
            item.done(status);
            return true;
        } catch (Exception e) {
            LOGGER.error("Could not acknowledge mail {} ({}) on the queue; its outcomes stand, nothing is put back again",
                    item.getMail().getName(), status, e);
            return false;
        }
    }

    private static void pause(int tries) {
        if (tries < TRIES) {
            try {
                Thread.sleep(PAUSE.toMillis() * tries);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
