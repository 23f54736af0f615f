package dev.jameslmtp.client;

import java.util.Objects;
import java.util.Optional;

import dev.jameslmtp.client.wire.WireSafety;

/**
 * One envelope recipient, with the RFC 3461 DSN parameters to pass through when the server
 * offers DSN. {@code notification} is the NOTIFY value, e.g. {@code "SUCCESS,FAILURE"};
 * {@code originalRecipient} is the ORCPT value in its wire form
 * {@code "rfc822;user+2Bx@example.com"} (xtext).
 */
public record Recipient(String address, Optional<String> notification, Optional<String> originalRecipient) {

    public Recipient {
        WireSafety.requireAddress("recipient address", Objects.requireNonNull(address, "address"));
        if (address.isEmpty()) {
            throw new IllegalArgumentException("recipient address is empty");
        }
        notification.ifPresent(n -> WireSafety.requireParameterValue("NOTIFY", n));
        originalRecipient.ifPresent(o -> WireSafety.requireNoControlCharacters("ORCPT", o));
        originalRecipient.ifPresent(o -> {
            if (o.indexOf(' ') >= 0 || o.indexOf(';') < 0) {
                throw new IllegalArgumentException("ORCPT must be 'addr-type;xtext' without spaces");
            }
        });
    }

    public static Recipient of(String address) {
        return new Recipient(address, Optional.empty(), Optional.empty());
    }

    @Override
    public String toString() {
        return address;
    }
}
