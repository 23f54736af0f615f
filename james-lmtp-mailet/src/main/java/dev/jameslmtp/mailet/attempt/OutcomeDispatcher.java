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
import org.apache.mailet.DsnParameters;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.wire.Transcript;
import dev.jameslmtp.conf.DelaySchedule;
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
    private final DelaySchedule schedule;
    private final Clock clock;

    public OutcomeDispatcher(MailQueue queue, MailetContext context, Bounces bounces, LmtpDeliveryConfiguration configuration, Clock clock,
                      DeliveryMetrics metrics) {
        this.putBack = new PutBack(queue, context, metrics::putBackFailed);
        this.context = context;
        this.bounces = bounces;
        this.onSuccess = configuration.onSuccess();
        this.jitter = configuration.retryJitter();
        this.schedule = configuration.delaySchedule();
        this.clock = clock;
    }

    /**
     * Dispatches, marking each recipient requeued or bounced in {@code marks} once that is done
     * ({@code dsn}: the mail's DSN parameters, read once for the attempt);
     * {@code storeReports} tells the servers that send their own success notifications (they offered DSN).
     */
    void dispatch(Mail mail, Optional<DsnParameters> dsn, DeliveryResult result, AttemptMarks marks, Predicate<Destination> storeReports)
            throws UnstoredRecipientsException {
        List<MailAddress> recipients = MailCopies.recipients(mail, result);
        List<Integer> deferred = result.positions(Fate.DEFERRED);
        boolean delayWarning = bounces.markDelayWarning(mail, !deferred.isEmpty());
        List<MailAddress> unstored = new ArrayList<>();
        Exception unstoredCause = null;
        for (Map.Entry<Integer, List<Integer>> group : byRetryCount(mail, result, deferred).entrySet()) {
            List<MailAddress> addresses = group.getValue().stream().map(recipients::get).toList();
            Optional<Exception> failure = putBack(mail, addresses, group.getKey(), group.getValue(), marks);
            if (failure.isPresent()) {
                unstored.addAll(addresses);
                unstoredCause = failure.get();
            } else {
                group.getValue().forEach(index -> marks.mark(index, Fate.DEFERRED));
            }
        }
        bounces.send(mail, dsn, result, result.positions(Fate.BOUNCED), delayWarning ? deferred : List.of(),
                group -> group.forEach(index -> marks.mark(index, Fate.BOUNCED)));
        List<Integer> delivered = result.positions(Fate.DELIVERED);
        bounces.sendDelivered(mail, dsn, result, delivered, storeReports);
        sendOnSuccess(mail, delivered.stream().map(recipients::get).toList());
        mail.setRecipients(deferred.stream().map(recipients::get).toList());
        if (!unstored.isEmpty()) {
            throw new UnstoredRecipientsException(mail.getName(), result, unstored, unstoredCause);
        }
    }

    /** The deferred positions by their retry count, each group in the order of the mail (a copy put back again after a kill is made in that order). */
    private static Map<Integer, List<Integer>> byRetryCount(Mail mail, DeliveryResult result, List<Integer> deferred) {
        Map<Integer, List<Integer>> byRetry = new LinkedHashMap<>();
        deferred.forEach(index -> byRetry.computeIfAbsent(RetryState.after(mail, result, index), r -> new ArrayList<>()).add(index));
        return byRetry;
    }

    /**
     * Puts {@code recipients} (at {@code positions}, each with {@code retries} now) back on the
     * queue, else in the error processor ({@link PutBack}); empty when one of them took it. The
     * copy's journal id is chosen, and written in {@code marks} with the retries and the delay,
     * before the first enqueue: a try that failed after the queue took the copy, or a mail handed
     * out again after James died before its {@code requeued} line, puts the copy back under the
     * same id, and copies with one id are sent once.
     */
    private Optional<Exception> putBack(Mail mail, List<MailAddress> recipients, int retries, List<Integer> positions,
                                        AttemptMarks marks) {
        Duration delay = jitter.spread(schedule.delayBeforeRetry(retries), ThreadLocalRandom.current().nextDouble());
        String copyId = DeliveryJournal.newId();
        positions.forEach(index -> marks.putting(index, new MailJournal.PutBack(copyId, retries, delay)));
        Map<MailAddress, Integer> counts = new LinkedHashMap<>();
        recipients.forEach(recipient -> counts.put(recipient, retries));
        try {
            putBack.put(mail, recipients, delay, copy -> {
                RetryState.record(copy, counts);
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
