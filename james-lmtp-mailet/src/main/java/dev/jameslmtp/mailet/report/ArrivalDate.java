package dev.jameslmtp.mailet.report;

import java.time.Clock;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.Optional;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;

/**
 * When a mail arrived, for a DSN's {@code Arrival-Date} and for delay warnings: James's own
 * attribute {@value #NAME} (a {@code ZonedDateTime}, set by James's SMTP {@code DSNMessageHook}
 * and read by {@code DSNBounce}). {@link #stampIfAbsent} sets it when the mailet first sees a mail
 * without it, so that both bounce modes have it.
 */
public final class ArrivalDate {

    static final String NAME = "dsn-arrival-date";
    public static final AttributeName ATTRIBUTE = AttributeName.of(NAME);

    private ArrivalDate() {
    }

    public static Optional<Instant> of(Mail mail) {
        return mail.getAttribute(ATTRIBUTE)
                .map(Attribute::getValue)
                .map(AttributeValue::value)
                .filter(ZonedDateTime.class::isInstance)
                .map(value -> ((ZonedDateTime) value).toInstant());
    }

    public static void stampIfAbsent(Mail mail, Clock clock) {
        if (of(mail).isEmpty()) {
            mail.setAttribute(new Attribute(ATTRIBUTE, AttributeValue.of(ZonedDateTime.now(clock))));
        }
    }
}
