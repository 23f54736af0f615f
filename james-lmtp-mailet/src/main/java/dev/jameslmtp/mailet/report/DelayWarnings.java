package dev.jameslmtp.mailet.report;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;


/**
 * Postfix's {@code delay_warning_time}: once a mail has waited that long since it arrived
 * ({@link ArrivalDate}) and still has recipients being retried, the sender gets one
 * {@code Action: delayed} DSN for them. At most one per mail: the attempt that warns marks the mail
 * (attribute {@value #NAME}, carried by the copies put back on the queue) before they are put back.
 * Off when no time is configured.
 */
public final class DelayWarnings {

    static final String NAME = "lmtp-delivery-delay-warned";
    static final AttributeName WARNED = AttributeName.of(NAME);

    private final Optional<Duration> after;
    private final Clock clock;

    DelayWarnings(Optional<Duration> after, Clock clock) {
        this.after = after;
        this.clock = clock;
    }

    /**
     * Whether this attempt warns about its deferred recipients (when {@code anyDeferred}); when it
     * does, the mail is marked so that no later attempt warns again.
     */
    boolean markIfDue(Mail mail, boolean anyDeferred) {
        if (after.isEmpty() || !anyDeferred || !mail.hasSender() || warned(mail)) {
            return false;
        }
        Optional<Instant> arrival = ArrivalDate.of(mail);
        if (arrival.isEmpty() || Duration.between(arrival.get(), clock.instant()).compareTo(after.get()) < 0) {
            return false;
        }
        mail.setAttribute(new Attribute(WARNED, AttributeValue.of(true)));
        return true;
    }

    public static boolean warned(Mail mail) {
        return mail.getAttribute(WARNED).map(Attribute::getValue).map(AttributeValue::value).filter(Boolean.TRUE::equals).isPresent();
    }
}
