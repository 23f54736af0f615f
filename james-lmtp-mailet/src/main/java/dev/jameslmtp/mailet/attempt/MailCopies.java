package dev.jameslmtp.mailet.attempt;

import java.util.List;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.mailet.Mail;

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
