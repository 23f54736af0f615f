package dev.jameslmtp.mailet.attempt;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

import org.apache.james.core.MailAddress;
import org.apache.james.queue.api.MailQueue;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.wire.Transcript;
import dev.jameslmtp.conf.LmtpDeliveryConfiguration;
import dev.jameslmtp.conf.RetryJitter;
import dev.jameslmtp.mailet.journal.AttemptMarks;
import dev.jameslmtp.mailet.journal.DeliveryJournal;
import dev.jameslmtp.mailet.journal.MailJournal;
import dev.jameslmtp.mailet.queue.PutBack;
import dev.jameslmtp.mailet.report.Bounces;

/**
 * Carries the outcomes of an attempt out onto James. Recipients delivered over LMTP are final:
 * nothing done here sends them again.
 * <ol>
 *   <li>Deferred recipients go back on the queue, in one copy of the mail per retry count (in
 *   practice one) holding only them, with the delay of their next retry (spread by
 *   {@code retryJitter}: up to that fraction later, never earlier) and their counts
 *   ({@link RetryState}), through {@link PutBack}: tried {@value PutBack#TRIES} times, then
 *   James's {@code error} processor. If that fails too,
 *   {@link UnstoredRecipientsException} is thrown once everything else below is done.</li>
 *   <li>Bounced recipients go to {@link Bounces}, with the deferred ones when the attempt warns
 *   the sender of the delay ({@link Bounces#markDelayWarning}, decided before step 1 so that the
 *   copies put back carry the mark).</li>
 *   <li>Delivered recipients, when {@code onSuccess} is set, go there in a copy.</li>
 * </ol>
 * Finally the mail itself is left holding only its deferred recipients. Failures in steps 2 and 3
 * are logged and do not undo the LMTP outcome.
 */
public final class OutcomeDispatcher {

    private static final Logger LOGGER = LoggerFactory.getLogger(OutcomeDispatcher.class);

    private final PutBack putBack;
    private final MailetContext context;
    private final Bounces bounces;
    private final Optional<String> onSuccess;
    private final RetryJitter jitter;
    private final Clock clock;

    public OutcomeDispatcher(MailQueue queue, MailetContext context, Bounces bounces, LmtpDeliveryConfiguration configuration, Clock clock,
                      DeliveryMetrics metrics) {
        this.putBack = new PutBack(queue, context, metrics::putBackFailed);
        this.context = context;
        this.bounces = bounces;
        this.onSuccess = configuration.onSuccess();
        this.jitter = configuration.retryJitter();
        this.clock = clock;
    }

    void dispatch(Mail mail, MailOutcomes outcomes) throws UnstoredRecipientsException {
        dispatch(mail, outcomes, AttemptMarks.NONE, server -> false);
    }

    /**
     * Dispatches, marking each recipient requeued or bounced in {@code marks} once that is done;
     * {@code storeReports} tells the servers that send their own success notifications (they offered DSN).
     */
    void dispatch(Mail mail, MailOutcomes outcomes, AttemptMarks marks, Predicate<Destination> storeReports)
            throws UnstoredRecipientsException {
        boolean delayWarning = bounces.markDelayWarning(mail, outcomes.with(Fate.DEFERRED));
        List<MailAddress> unstored = new ArrayList<>();
        Exception unstoredCause = null;
        for (List<RecipientFate> group : byRetryCount(outcomes.with(Fate.DEFERRED))) {
            Optional<Exception> failure = putBack(mail, group, marks);
            if (failure.isPresent()) {
                unstored.addAll(group.stream().map(RecipientFate::recipient).toList());
                unstoredCause = failure.get();
            } else {
                group.forEach(fate -> marks.mark(fate.index(), Fate.DEFERRED));
            }
        }
        bounces.send(mail, outcomes.with(Fate.BOUNCED), delayWarning ? outcomes.with(Fate.DEFERRED) : List.of(),
                group -> group.forEach(fate -> marks.mark(fate.index(), Fate.BOUNCED)));
        bounces.sendDelivered(mail, outcomes.with(Fate.DELIVERED), storeReports);
        sendOnSuccess(mail, outcomes.addresses(Fate.DELIVERED));
        mail.setRecipients(outcomes.addresses(Fate.DEFERRED));
        if (!unstored.isEmpty()) {
            throw new UnstoredRecipientsException(outcomes, unstored, unstoredCause);
        }
    }

    /** The deferred recipients by retry count, each group in the order of the mail (a copy put back again after a kill is made in that order). */
    private static List<List<RecipientFate>> byRetryCount(List<RecipientFate> deferred) {
        Map<Integer, List<RecipientFate>> byRetry = new LinkedHashMap<>();
        deferred.stream().sorted(java.util.Comparator.comparingInt(RecipientFate::index))
                .forEach(fate -> byRetry.computeIfAbsent(fate.retries(), r -> new ArrayList<>()).add(fate));
        return List.copyOf(byRetry.values());
    }

    /**
     * Puts {@code group} back on the queue, else in the error processor ({@link PutBack}); empty
     * when one of them took it. The copy's journal id is chosen, and written in {@code marks} with
     * the retries and the delay, before the first enqueue: a try that failed after the queue took
     * the copy, or a mail handed out again after James died before its {@code requeued} line, puts
     * the copy back under the same id, and copies with one id are sent once.
     */
    private Optional<Exception> putBack(Mail mail, List<RecipientFate> group, AttemptMarks marks) {
        Duration delay = jitter.spread(group.get(0).retryDelay().orElseThrow(), ThreadLocalRandom.current().nextDouble());
        String copyId = DeliveryJournal.newId();
        group.forEach(fate -> marks.putting(fate.index(), new MailJournal.PutBack(copyId, fate.retries(), delay)));
        try {
            putBack.put(mail, group.stream().map(RecipientFate::recipient).toList(), delay, copy -> {
                RetryState.record(copy, group);
                copy.setAttribute(new Attribute(Bounces.IS_DELIVERY_PERMANENT_ERROR, AttributeValue.of(false)));
                copy.setLastUpdated(Date.from(clock.instant()));
                DeliveryJournal.setId(copy, copyId);
            }, PutBack.Fallback.ERROR_PROCESSOR);
            return Optional.empty();
        } catch (Exception e) {
            return Optional.of(e);
        }
    }

    private void sendOnSuccess(Mail mail, List<MailAddress> delivered) {
        if (onSuccess.isEmpty() || delivered.isEmpty()) {
            return;
        }
        try {
            MailCopies.send(mail, delivered, copy -> context.sendMail(copy, onSuccess.get()));
        } catch (Exception e) {
            LOGGER.error("Could not send mail {} for delivered recipients {} to processor {}", mail.getName(),
                    Transcript.neutralise(delivered.toString()), onSuccess.get(), e);
        }
    }
}
