package dev.jameslmtp.conf;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Who writes the bounce of a recipient that could not be delivered.
 *
 * <ul>
 *   <li>{@link #RFC3464}: the mailet itself sends one RFC 3464 delivery status notification per
 *   mail and attempt to the sender, listing every failed recipient with its own status, the
 *   store's reply and the store's name.</li>
 *   <li>{@link #JAMES}: the failed recipients go, with James's {@code delivery-error*} attributes,
 *   to {@code bounceProcessor} (typically {@code DSNBounce}, {@code IsRemoteDelivery*} matchers) or,
 *   without one, to {@code MailetContext.bounce}: what James's RemoteDelivery does.</li>
 * </ul>
 */
public enum BounceMode {
    RFC3464("rfc3464"),
    JAMES("james");

    private final String value;

    BounceMode(String value) {
        this.value = value;
    }

    /** As written in {@code mailetcontainer.xml}. */
    public String value() {
        return value;
    }

    static Optional<BounceMode> of(String text) {
        return Arrays.stream(values()).filter(mode -> mode.value.equals(text.toLowerCase(Locale.ROOT))).findFirst();
    }
}
