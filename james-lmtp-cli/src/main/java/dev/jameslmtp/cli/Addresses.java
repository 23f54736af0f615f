package dev.jameslmtp.cli;

import dev.jameslmtp.client.Recipient;
import dev.jameslmtp.client.wire.WireSafety;

/**
 * Envelope addresses as people type them: {@code bob@example.com} or {@code <bob@example.com>};
 * for the sender, {@code ''} or {@code <>} is the null sender (bounces). Surrounding spaces and
 * one pair of angle brackets are removed; the client's {@link WireSafety} rules do the rest
 * (no control characters, no other angle brackets, at most 256 characters).
 */
final class Addresses {

    private Addresses() {
    }

    /** The sender as the client wants it: the bare address, "" for the null sender. */
    static String sender(String text) {
        return WireSafety.requireAddress("sender address", bare(text));
    }

    static Recipient recipient(String text) {
        String address = bare(text);
        if (address.isEmpty()) {
            throw new IllegalArgumentException("recipient address is empty");
        }
        return Recipient.of(address);
    }

    private static String bare(String text) {
        String value = text.strip();
        if (value.length() >= 2 && value.startsWith("<") && value.endsWith(">")) {
            value = value.substring(1, value.length() - 1).strip();
        }
        return value;
    }
}
