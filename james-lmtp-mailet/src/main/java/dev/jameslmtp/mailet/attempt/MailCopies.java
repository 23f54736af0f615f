package dev.jameslmtp.mailet.attempt;

import java.util.List;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.mailet.Mail;

import dev.jameslmtp.client.outcome.DeliveryResult;

/**
 * Copy, send, dispose, in one place (as James's {@code MailDispatcher}): a copy of a mail holding
 * chosen recipients, prepared and handed to one sink (the queue, a processor), then disposed
 * whatever happened.
 */
public final class MailCopies {

    /** Where a copy goes; it may change the copy first (name, attributes). */
    @FunctionalInterface
    public interface Sink {
        void accept(Mail copy) throws Exception;
    }

    private MailCopies() {
    }

    /**
     * The recipients of {@code mail}, by the positions of {@code result}, an attempt's result on it
     * (until the attempt leaves the mail with only its deferred recipients).
     *
     * @throws IllegalStateException when the mail does not hold the result's recipients, in order
     */
    public static List<MailAddress> recipients(Mail mail, DeliveryResult result) {
        List<MailAddress> recipients = List.copyOf(mail.getRecipients());
        boolean same = recipients.size() == result.size();
        for (int i = 0; same && i < recipients.size(); i++) {
            same = recipients.get(i).asString().equals(result.recipient(i));
        }
        if (!same) {
            throw new IllegalStateException("mail " + mail.getName() + " does not hold the recipients of its attempt's result");
        }
        return recipients;
    }

    /**
     * Sends a copy of {@code mail} holding {@code recipients} (same name) to {@code sink}.
     *
     * @throws Exception what copying or the sink threw; the copy is disposed either way
     */
    public static void send(Mail mail, List<MailAddress> recipients, Sink sink) throws Exception {
        Mail copy = mail.duplicate();
        try {
            copy.setName(mail.getName());
            copy.setRecipients(recipients);
            sink.accept(copy);
        } finally {
            LifecycleUtil.dispose(copy);
        }
    }
}
