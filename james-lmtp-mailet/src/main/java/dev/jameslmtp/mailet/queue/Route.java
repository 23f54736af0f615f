package dev.jameslmtp.mailet.queue;

import java.util.Optional;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;

import dev.jameslmtp.client.DestinationList;

/**
 * The destination a queued mail goes to, fixed by the mailet that accepted it: attribute
 * {@value #NAME} (String, the canonical form of a {@link DestinationList}, e.g.
 * {@code inet:[127.0.0.1]:24} or {@code inet:[127.0.0.1]:24, inet:[127.0.0.1]:2424}). {@code service()} writes it on every copy it enqueues; the
 * consumer delivers every recipient of the mail there and uses it as the key of the per-destination
 * limits. A mail without it (its domain had no transport map entry when it was accepted) is routed
 * recipient by recipient when it is attempted.
 */
public final class Route {

    static final String NAME = "lmtp-delivery-destination";
    public static final AttributeName ATTRIBUTE = AttributeName.of(NAME);

    private Route() {
    }

    static void set(Mail mail, DestinationList destination) {
        mail.setAttribute(new Attribute(ATTRIBUTE, AttributeValue.of(destination.toString())));
    }

    /** The route as written on the mail, unparsed. */
    public static Optional<String> text(Mail mail) {
        return mail.getAttribute(ATTRIBUTE)
                .map(Attribute::getValue)
                .map(AttributeValue::value)
                .filter(String.class::isInstance)
                .map(String.class::cast);
    }
}
