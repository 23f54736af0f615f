package dev.jameslmtp.mailet;

import java.util.List;

import org.apache.james.queue.api.MailQueue;
import org.apache.mailet.Mail;

/** A queue item as the delivery consumer gets it: its mail, and each acknowledgement it gives, recorded in order. */
public class RecordingQueueItem implements MailQueue.MailQueueItem {

    private final Mail mail;
    private final List<CompletionStatus> acknowledgements;

    public RecordingQueueItem(Mail mail, List<CompletionStatus> acknowledgements) {
        this.mail = mail;
        this.acknowledgements = acknowledgements;
    }

    @Override
    public Mail getMail() {
        return mail;
    }

    @Override
    public void done(CompletionStatus status) throws MailQueue.MailQueueException {
        acknowledgements.add(status);
    }
}
