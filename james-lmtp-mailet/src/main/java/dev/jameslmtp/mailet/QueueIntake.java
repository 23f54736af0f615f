package dev.jameslmtp.mailet;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.queue.api.MailQueue;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.client.DestinationList;
import dev.jameslmtp.client.wire.Transcript;
import dev.jameslmtp.conf.Routing;

/**
 * The way in: what {@code LmtpDelivery.service} does with a mail. Its recipients are routed, and
 * the mail goes on the mailet's queue once per destination, each item with its {@link Route} and
 * a journal id derived from the mail ({@link DeliveryJournal#idFor}), then it is ghosted.
 */
final class QueueIntake {

    private static final Logger LOGGER = LoggerFactory.getLogger(QueueIntake.class);

    private final MailQueue queue;
    private final Routing routing;
    private final Clock clock;

    QueueIntake(MailQueue queue, Routing routing, Clock clock) {
        this.queue = queue;
        this.routing = routing;
        this.clock = clock;
    }

    /**
     * Enqueues the mail, one copy per destination holding that destination's recipients and its
     * {@link Route} (the mail itself when there is one destination), then ghosts it. If James cannot enqueue a copy, the mail is left holding the
     * recipients that are not on the queue (all of them when the first enqueue fails) and the
     * exception goes to James, whose {@code onMailetException} (the {@code error} processor by
     * default) then gets exactly those recipients: each recipient is on the queue or in the error
     * path, never both, never neither.
     */
    void accept(Mail mail) throws MessagingException {
        mail.removeAttribute(RetryState.RETRIES);
        mail.removeAttribute(Route.ATTRIBUTE);
        ArrivalDate.stampIfAbsent(mail, clock);
        if (mail.getRecipients().isEmpty()) {
            LOGGER.debug("Mail {} has no recipients: nothing to deliver", mail.getName());
            mail.setState(Mail.GHOST);
            return;
        }
        Map<Optional<DestinationList>, List<MailAddress>> byDestination = new LinkedHashMap<>();
        Routing now = routing.now();
        for (MailAddress recipient : mail.getRecipients()) {
            byDestination.computeIfAbsent(now.destinationFor(recipient.getDomain().asString()),
                    key -> new ArrayList<>()).add(recipient);
        }
        if (byDestination.size() == 1) {
            enqueueWhole(mail, byDestination.keySet().iterator().next());
            return;
        }
        List<MailAddress> notQueued = new ArrayList<>(mail.getRecipients());
        String name = mail.getName();
        for (Map.Entry<Optional<DestinationList>, List<MailAddress>> entry : byDestination.entrySet()) {
            try {
                MailCopies.send(mail, entry.getValue(), copy -> {
                    if (byDestination.size() > 1) {
                        copy.setName(name + "-to-" + destinationKey(entry.getKey()).replaceAll("[^A-Za-z0-9._-]", "_"));
                    }
                    entry.getKey().ifPresent(destination -> Route.set(copy, destination));
                    DeliveryJournal.idFor(copy, destinationKey(entry.getKey()));
                    queue.enQueue(copy);
                });
            } catch (Exception e) {
                mail.setRecipients(notQueued);
                throw new MessagingException("LmtpDelivery could not enqueue mail " + name + " for "
                        + Transcript.neutralise(entry.getValue() + "; recipients not queued: " + notQueued), e);
            }
            entry.getValue().forEach(notQueued::remove);
        }
        mail.setState(Mail.GHOST);
    }

    /**
     * One destination for every recipient: the mail itself is enqueued, without a copy of our own,
     * as James's {@code RemoteDelivery} does. Every James queue copies or serialises what it is
     * given at {@code enQueue} (the memory queue keeps a clone, ActiveMQ and RabbitMQ serialise
     * the mail and its message), so ghosting the mail afterwards never touches the queued item.
     * If the enqueue fails, the mail leaves as it came (no route, the journal id it had) with the exception.
     */
    private void enqueueWhole(Mail mail, Optional<DestinationList> destination) throws MessagingException {
        destination.ifPresent(route -> Route.set(mail, route));
        Optional<Attribute> formerId = mail.getAttribute(AttributeName.of(DeliveryJournal.ID));
        DeliveryJournal.idFor(mail, destinationKey(destination));
        try {
            queue.enQueue(mail);
        } catch (Exception e) {
            mail.removeAttribute(Route.ATTRIBUTE);
            mail.removeAttribute(AttributeName.of(DeliveryJournal.ID));
            formerId.ifPresent(mail::setAttribute);
            throw new MessagingException("LmtpDelivery could not enqueue mail " + mail.getName() + "; recipients not queued: "
                    + Transcript.neutralise(mail.getRecipients().toString()), e);
        }
        mail.setState(Mail.GHOST);
    }

    /** The key of the per-destination limits: the mail's route, or {@value DeliveryAttempt#NO_DESTINATION}. */
    static String destinationKey(Mail mail) {
        return Route.text(mail).orElse(DeliveryAttempt.NO_DESTINATION);
    }

    private static String destinationKey(Optional<DestinationList> destination) {
        return destination.map(DestinationList::toString).orElse(DeliveryAttempt.NO_DESTINATION);
    }

}
