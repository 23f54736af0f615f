package dev.jameslmtp.mailet.queue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.queue.api.MailQueue;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.client.DestinationList;
import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.mailet.attempt.AttemptMdc;
import dev.jameslmtp.mailet.attempt.DeliveryAttempt;
import dev.jameslmtp.mailet.attempt.UnstoredRecipientsException;
import dev.jameslmtp.mailet.journal.AttemptMarks;
import dev.jameslmtp.mailet.journal.DeliveryJournal;
import dev.jameslmtp.mailet.journal.MailJournal;

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
final class JournaledAttempt {

    private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);
    private static final Logger LOGGER = LoggerFactory.getLogger(JournaledAttempt.class);

    private final DeliveryAttempt attempt;
    private final DeliveryJournal journal;
    private final PutBack putBack;
    private final Function<String, Duration> busyDelay;

    JournaledAttempt(DeliveryAttempt attempt, DeliveryJournal journal, PutBack putBack,
                     Function<String, Duration> busyDelay) {
        this.attempt = attempt;
        this.journal = journal;
        this.putBack = putBack;
        this.busyDelay = busyDelay;
    }

    void process(MailQueue.MailQueueItem item, StoreFeedback.Listener feedback) {
        Mail mail = item.getMail();
        Optional<MailJournal> held = journal.tryOpen(mail);
        if (held.isEmpty()) {
            putBack.handBack(item, busyDelay.apply(QueueIntake.destinationKey(mail)),
                    "another copy of it, left on the queue a second time when James was stopped, is in an attempt");
            return;
        }
        Function<MailAddress, Optional<DestinationList>> router = attempt.router(mail);
        try (AttemptMdc mdc = attempt.mdc(mail, router);
             MailJournal marks = held.get()) {
            List<MailAddress> recipients = List.copyOf(mail.getRecipients());
            MailJournal.Reading reading = marks.read(recipients);
            if (reading.settled()) {
                LOGGER.info("Mail {} was settled already: this copy was left on the queue a second time when James was stopped,"
                        + " it is not sent again", mail.getName());
                PutBack.acknowledge(item, MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
                return;
            }
            Map<Integer, Fate> settled = new HashMap<>(reading.marks());
            if (!UnfinishedPutBacks.putBackAgain(putBack, mail, recipients, marks, reading.putBacks(), settled)) {
                marks.sync();
                PutBack.acknowledge(item, retryAfterPause());
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
                status = attempt(mail, router, marks.marksFor(open, recipients), feedback);
            }
            if (status == MailQueue.MailQueueItem.CompletionStatus.RETRY) {
                mail.setRecipients(recipients); // the queue keeps the item as it came, marks and all
            }
            marks.sync();
            if (PutBack.acknowledge(item, status) && status == MailQueue.MailQueueItem.CompletionStatus.SUCCESS) {
                marks.settle();
            }
        } finally {
            LifecycleUtil.dispose(mail);
        }
    }

    private MailQueue.MailQueueItem.CompletionStatus attempt(Mail mail, Function<MailAddress, Optional<DestinationList>> router,
                                                             AttemptMarks marks, StoreFeedback.Listener feedback) {
        try {
            attempt.run(mail, router, marks, feedback);
            return MailQueue.MailQueueItem.CompletionStatus.SUCCESS;
        } catch (UnstoredRecipientsException e) {
            DeliveryResult result = e.result();
            if (result.positions(Fate.DEFERRED).size() == result.size()) {
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
            putBack.toErrorProcessor(mail, List.copyOf(mail.getRecipients()), "4.3.0 LmtpDelivery failed: " + cause, copy -> { });
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
}
