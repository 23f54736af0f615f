package dev.jameslmtp.mailet;

import java.time.Clock;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.queue.api.MailQueue;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries the outcomes of an attempt out onto James, in the order that is safest when James
 * itself fails half way:
 * <ol>
 *   <li>deferred recipients go back on the queue, in one copy of the mail per retry count (in
 *   practice one), with the delay of their next retry and their counts ({@link RetryState});</li>
 *   <li>bounced recipients go to {@link Bounces};</li>
 *   <li>delivered recipients, when {@code onSuccess} is set, go there in a copy.</li>
 * </ol>
 * Finally the mail itself is left holding only its deferred recipients. A queue failure in step 1
 * throws {@link MailQueue.MailQueueException} before anything else happened, so the caller can
 * put the whole mail back (recipients already delivered over LMTP may then get it twice; none is
 * lost). Failures in steps 2 and 3 are logged and do not undo the LMTP outcome.
 */
final class OutcomeDispatcher {

    private static final Logger LOGGER = LoggerFactory.getLogger(OutcomeDispatcher.class);

    private final MailQueue queue;
    private final MailetContext context;
    private final Bounces bounces;
    private final Optional<String> onSuccess;
    private final Clock clock;

    OutcomeDispatcher(MailQueue queue, MailetContext context, Bounces bounces, Optional<String> onSuccess, Clock clock) {
        this.queue = queue;
        this.context = context;
        this.bounces = bounces;
        this.onSuccess = onSuccess;
        this.clock = clock;
    }

    void dispatch(Mail mail, MailOutcomes outcomes) throws MailQueue.MailQueueException {
        requeue(mail, outcomes.with(Fate.DEFERRED));
        bounces.send(mail, outcomes.with(Fate.BOUNCED));
        sendOnSuccess(mail, outcomes.addresses(Fate.DELIVERED));
        mail.setRecipients(outcomes.addresses(Fate.DEFERRED));
    }

    private void requeue(Mail mail, List<RecipientFate> deferred) throws MailQueue.MailQueueException {
        Map<Integer, List<RecipientFate>> byRetry = new LinkedHashMap<>();
        deferred.forEach(fate -> byRetry.computeIfAbsent(fate.retries(), r -> new java.util.ArrayList<>()).add(fate));
        for (List<RecipientFate> group : byRetry.values()) {
            Mail copy = copy(mail);
            try {
                copy.setName(mail.getName());
                copy.setRecipients(group.stream().map(RecipientFate::recipient).toList());
                RetryState.record(copy, group);
                copy.setAttribute(new Attribute(Bounces.IS_DELIVERY_PERMANENT_ERROR, AttributeValue.of(false)));
                copy.setLastUpdated(Date.from(clock.instant()));
                queue.enQueue(copy, group.get(0).retryDelay().orElseThrow());
            } finally {
                LifecycleUtil.dispose(copy);
            }
        }
    }

    private void sendOnSuccess(Mail mail, List<MailAddress> delivered) {
        if (onSuccess.isEmpty() || delivered.isEmpty()) {
            return;
        }
        Mail copy = null;
        try {
            copy = mail.duplicate();
            copy.setRecipients(delivered);
            context.sendMail(copy, onSuccess.get());
        } catch (MessagingException | RuntimeException e) {
            LOGGER.error("Could not send mail {} for delivered recipients {} to processor {}", mail.getName(), delivered, onSuccess.get(), e);
        } finally {
            if (copy != null) {
                LifecycleUtil.dispose(copy);
            }
        }
    }

    private static Mail copy(Mail mail) throws MailQueue.MailQueueException {
        try {
            return mail.duplicate();
        } catch (MessagingException e) {
            throw new MailQueue.MailQueueException("cannot copy mail " + mail.getName() + " to put it back on the queue", e);
        }
    }
}
