package dev.jameslmtp.mailet.attempt;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;

import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Fate;

/**
 * Retry counts kept on the mail, per recipient: attribute {@value #RETRIES_NAME}, a map from
 * recipient address to the number of retries already scheduled for it. James's own
 * {@code delivery_retry_count} (RemoteDelivery's per-mail counter) is kept meaningful: it holds
 * the highest count of the mail's recipients. Both are plain attribute values, so they survive
 * any James mail queue.
 */
public final class RetryState {

    static final String RETRIES_NAME = "lmtp-delivery-retries";
    public static final AttributeName RETRIES = AttributeName.of(RETRIES_NAME);
    public static final AttributeName DELIVERY_RETRY_COUNT = AttributeName.of("delivery_retry_count");

    private RetryState() {
    }

    /** Retries already scheduled for {@code recipient}: 0 for a mail never attempted. */
    public static int retriesOf(Mail mail, MailAddress recipient) {
        return retriesOf(mail, recipient.asString());
    }

    private static int retriesOf(Mail mail, String recipient) {
        return counts(mail).map(map -> map.get(recipient))
                .map(AttributeValue::value)
                .filter(Integer.class::isInstance)
                .map(Integer.class::cast)
                .orElse(0);
    }

    /**
     * The retry count of the recipient at {@code index} once the attempt that gave {@code result}
     * is carried out: one more than before for a deferral (the retry now scheduled), else as before.
     */
    public static int after(Mail mail, DeliveryResult result, int index) {
        int before = retriesOf(mail, result.recipient(index));
        return result.verdict(index).fate() == Fate.DEFERRED ? before + 1 : before;
    }

    /** Writes {@code retries} (for the recipients the mail now holds) onto {@code mail}. */
    public static void record(Mail mail, Map<MailAddress, Integer> retries) {
        Map<String, AttributeValue<?>> counts = new HashMap<>();
        int highest = 0;
        for (Map.Entry<MailAddress, Integer> entry : retries.entrySet()) {
            counts.merge(entry.getKey().asString(), AttributeValue.of(entry.getValue()),
                    (a, b) -> (Integer) a.value() >= (Integer) b.value() ? a : b);
            highest = Math.max(highest, entry.getValue());
        }
        mail.setAttribute(new Attribute(RETRIES, AttributeValue.of(counts)));
        mail.setAttribute(new Attribute(DELIVERY_RETRY_COUNT, AttributeValue.of(highest)));
    }

    @SuppressWarnings("unchecked")
    private static Optional<Map<String, AttributeValue<?>>> counts(Mail mail) {
        return mail.getAttribute(RETRIES)
                .map(Attribute::getValue)
                .map(AttributeValue::value)
                .filter(Map.class::isInstance)
                .map(value -> (Map<String, AttributeValue<?>>) value);
    }
}
