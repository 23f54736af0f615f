package dev.jameslmtp.mailet;

import java.util.List;

import org.apache.james.core.MailAddress;

import dev.jameslmtp.client.wire.Transcript;

/**
 * Deferred recipients that James could neither put back on the queue nor hand to its
 * {@code error} processor. Everything else about the attempt was carried out; the mail holds
 * exactly these recipients.
 */
final class UnstoredRecipientsException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient MailOutcomes outcomes;

    UnstoredRecipientsException(MailOutcomes outcomes, List<MailAddress> recipients, Exception cause) {
        super("mail " + outcomes.mailName() + ": deferred recipients " + Transcript.neutralise(recipients.toString()) + " could be neither put back on the queue"
                + " nor sent to the error processor", cause);
        this.outcomes = outcomes;
    }

    MailOutcomes outcomes() {
        return outcomes;
    }
}
