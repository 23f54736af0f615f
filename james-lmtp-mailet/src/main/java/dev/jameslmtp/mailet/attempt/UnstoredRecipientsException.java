package dev.jameslmtp.mailet.attempt;

import java.util.List;

import org.apache.james.core.MailAddress;

import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.wire.Transcript;

/**
 * Deferred recipients that James could neither put back on the queue nor hand to its
 * {@code error} processor. Everything else about the attempt was carried out; the mail holds
 * exactly these recipients.
 */
public final class UnstoredRecipientsException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient DeliveryResult result;

    UnstoredRecipientsException(String mailName, DeliveryResult result, List<MailAddress> recipients, Exception cause) {
        super("mail " + mailName + ": deferred recipients " + Transcript.neutralise(recipients.toString()) + " could be neither put back on the queue"
                + " nor sent to the error processor", cause);
        this.result = result;
    }

    /** The attempt's result, by position: the verdicts James acted on. */
    public DeliveryResult result() {
        return result;
    }
}
