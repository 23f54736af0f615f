package dev.jameslmtp.conf;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The problems reported to the postmaster, as Postfix's {@code notify_classes}. Only
 * {@link #PROTOCOL} exists so far: the transcript of an LMTP session that ended in a protocol
 * error (a reply that made no sense where it came, a malformed reply, or a {@code 50x} syntax
 * error: the client and the store disagree about the protocol).
 */
public enum NotifyClass {
    PROTOCOL("protocol");

    private final String value;

    NotifyClass(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    static Optional<NotifyClass> of(String text) {
        return Arrays.stream(values()).filter(c -> c.value.equals(text.toLowerCase(Locale.ROOT))).findFirst();
    }
}
