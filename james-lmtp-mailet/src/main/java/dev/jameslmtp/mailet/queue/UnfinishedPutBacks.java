package dev.jameslmtp.mailet.queue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.wire.Transcript;
import dev.jameslmtp.mailet.attempt.RetryState;
import dev.jameslmtp.mailet.journal.DeliveryJournal;
import dev.jameslmtp.mailet.journal.MailJournal;
import dev.jameslmtp.mailet.report.Bounces;

/**
 * The put-backs James died in: a mail handed out again whose journal holds intent lines
 * ({@code requeuing/<id>/<retries>/<delay>}, {@link MailJournal.PutBack}) for recipients without a
 * mark. {@link JournaledAttempt#process} calls it before the attempt.
 */
final class UnfinishedPutBacks {

    private static final Logger LOGGER = LoggerFactory.getLogger(UnfinishedPutBacks.class);

    private UnfinishedPutBacks() {
    }

    /**
     * Puts back again, whole and under the copy id written then, each copy whose put-back James
     * died in (intent lines, some recipient without a mark): a copy the queue took before the
     * kill and this one are one item twice, sent once. Its recipients are then marked requeued,
     * in the journal and in {@code settled}. False when the queue refused ({@link PutBack}: the item
     * is kept, as nothing of it was carried out in this hand-out).
     */
    static boolean putBackAgain(PutBack queue, Mail mail, List<MailAddress> recipients, MailJournal marks,
                                Map<Integer, MailJournal.PutBack> putBacks, Map<Integer, Fate> settled) {
        if (putBacks.isEmpty()) {
            return true;
        }
        Map<String, List<Integer>> byCopy = new LinkedHashMap<>();
        new TreeMap<>(putBacks).forEach((position, putBack) ->
                byCopy.computeIfAbsent(putBack.copyId(), id -> new ArrayList<>()).add(position));
        for (Map.Entry<String, List<Integer>> copy : byCopy.entrySet()) {
            List<Integer> positions = copy.getValue();
            List<Integer> unmarked = positions.stream().filter(position -> !settled.containsKey(position)).toList();
            if (unmarked.isEmpty()) {
                continue;
            }
            Map<MailAddress, Integer> retries = new LinkedHashMap<>();
            positions.forEach(position -> retries.merge(recipients.get(position), putBacks.get(position).retries(), Math::max));
            try {
                queue.put(mail, positions.stream().map(recipients::get).toList(), putBacks.get(positions.get(0)).delay(), again -> {
                    RetryState.record(again, retries);
                    again.setAttribute(new Attribute(Bounces.IS_DELIVERY_PERMANENT_ERROR, AttributeValue.of(false)));
                    DeliveryJournal.setId(again, copy.getKey());
                }, PutBack.Fallback.KEEP_THE_ITEM);
            } catch (Exception e) {
                LOGGER.error("Could not put recipients {} of mail {} back on the queue again; the queue is asked to keep the mail",
                        Transcript.neutralise(retries.keySet().toString()), mail.getName(), e);
                return false;
            }
            marks.mark(unmarked, Fate.DEFERRED, recipients);
            unmarked.forEach(position -> settled.put(position, Fate.DEFERRED));
            LOGGER.info("Recipients {} of mail {} were being put back on the queue when James stopped: put back again, as copy {}"
                    + " (should the first put-back have reached the queue, the two copies are sent once)",
                    Transcript.neutralise(retries.keySet().toString()), mail.getName(), copy.getKey());
        }
        return true;
    }
}
