package dev.jameslmtp.mailet.journal;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;

import dev.jameslmtp.mailet.attempt.DeliveryMetrics;

/**
 * The delivery journals of one LmtpDelivery: for each queued mail (named by the journal id it
 * carries, attribute {@value #ID}), the fate of each recipient written the moment it is known
 * ({@link MailJournal}), so that a mail the queue hands out again after a kill is sent only to the
 * recipients without a mark; and, once the mail's queue item is acknowledged, a while during which
 * a second copy of it left on the queue by a kill is acknowledged without an attempt. Two kinds,
 * chosen by {@code journalStore} ({@link JournalStore}): {@link FileJournal}, files in a local
 * {@code journalDirectory} that only this James reads; {@link BlobJournal}, blobs in James's blob
 * store that every James node sharing the queue reads. The consumer does not know which it has.
 *
 * <p>Journal ids: {@code service} derives one from the mail ({@link #idFor}), so that a mail
 * James's spool hands out again after a kill gets the id it had; each put-back of deferred
 * recipients gets a new one ({@link #newId}), written in the journal before the enqueue. At most
 * one attempt in this James holds a journal ({@link #tryOpen}); the second copy of a mail is handed
 * back while the first is in an attempt.
 */
public interface DeliveryJournal extends AutoCloseable {

    String ID = "lmtp-delivery-journal";

    /**
     * The journal of a mail taken off the queue, held for this attempt until it is closed; empty
     * when another attempt of this James holds it now (a second copy of the mail, left on the queue
     * by a kill). One that keeps nothing when the mail has no (valid) journal id. Reads nothing yet:
     * {@link MailJournal#read} does, once.
     */
    Optional<MailJournal> tryOpen(Mail mail);

    /** {@link #tryOpen}, for a mail no other attempt can hold (tests). */
    default MailJournal of(Mail mail) {
        return tryOpen(mail).orElseThrow(() -> new IllegalStateException("journal of mail " + mail.getName() + " held by another attempt"));
    }

    /**
     * Starts removing, on a daemon thread of its own, the journals no mail can need any more:
     * those not written for {@code maxAge} of running time (their mail left the queue without
     * them), counted by {@link DeliveryMetrics#journalSwept}; and the settled marks of
     * acknowledged items after an hour or two.
     */
    Sweeper startSweeper(Duration maxAge, Clock clock, DeliveryMetrics metrics, String threadName);

    /** Given each line before it is written, and {@link MailJournal#SYNC} before the sync: tests inject a crash there. */
    void beforeWrite(Consumer<String> hook);

    /** Where the journals are, for the log line at init: a directory, or the blob store's bucket. */
    String describe();

    /** Stops writing. */
    @Override
    void close();

    /** A started sweeper; {@link #close} stops it. */
    interface Sweeper extends AutoCloseable {
        @Override
        void close();
    }

    /** A new journal id, for a put-back copy. */
    static String newId() {
        return UUID.randomUUID().toString();
    }

    /** Gives {@code copy}, about to be enqueued, the journal id {@code id}. */
    static void setId(Mail copy, String id) {
        copy.setAttribute(new Attribute(AttributeName.of(ID), AttributeValue.of(id)));
    }

    /**
     * Gives {@code mail}, about to be enqueued by {@code service} for {@code destination}, the
     * journal id derived from what James's spool hands out the same each time: its name (unique
     * in a James), recipients, {@code Message-ID}, the destination, and the journal id it already
     * carries (none, or the one it had when it left this mailet for the error processor, so that
     * a mail an operator sends back through the mailet is a new item). A mail the spool hands out
     * again after a kill thus gets the id it had, and the copy queued then is not sent twice.
     */
    static void idFor(Mail mail, String destination) {
        StringBuilder seed = new StringBuilder("queued\n").append(mail.getName()).append('\n').append(destination).append('\n')
                .append(idOf(mail).orElse("")).append('\n').append(messageId(mail)).append('\n');
        mail.getRecipients().forEach(recipient -> seed.append(recipient.asString()).append('\n'));
        setId(mail, JournalLines.nameUuid(seed.toString().getBytes(StandardCharsets.UTF_8)).toString());
    }

    /** Whether {@code text} is a journal id as the mailet writes and accepts them: 1 to 64 ASCII letters, digits and dashes. */
    static boolean isId(String text) {
        return JournalLines.isId(text);
    }

    /** The (valid) journal id {@code mail} carries. */
    static Optional<String> idOf(Mail mail) {
        return mail.getAttribute(AttributeName.of(ID)).map(Attribute::getValue).map(AttributeValue::value)
                .filter(String.class::isInstance).map(String.class::cast).filter(DeliveryJournal::isId);
    }

    private static String messageId(Mail mail) {
        try {
            return Optional.ofNullable(mail.getMessage()).map(message -> {
                try {
                    return message.getHeader("Message-ID", ",");
                } catch (javax.mail.MessagingException e) {
                    return null;
                }
            }).orElse("");
        } catch (javax.mail.MessagingException e) {
            return "";
        }
    }
}
