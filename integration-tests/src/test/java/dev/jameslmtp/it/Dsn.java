package dev.jameslmtp.it;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A delivery status notification as DSNBounce writes it, read as text: the per-recipient fields
 * of its {@code message/delivery-status} part ({@code Final-Recipient}, {@code Action},
 * {@code Status}, {@code Diagnostic-Code}...).
 */
record Dsn(String text) {

    static Dsn of(byte[] message) {
        return new Dsn(new String(message, StandardCharsets.UTF_8));
    }

    /** The fields of the block whose {@code Final-Recipient} is {@code rfc822; recipient}. */
    Map<String, String> recipientFields(String recipient) {
        List<String> lines = text.lines().toList();
        String header = "Final-Recipient: rfc822; " + recipient;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).equalsIgnoreCase(header)) {
                Map<String, String> fields = new LinkedHashMap<>();
                for (int j = i; j < lines.size() && !lines.get(j).isBlank(); j++) {
                    int colon = lines.get(j).indexOf(':');
                    if (colon > 0) {
                        fields.put(lines.get(j).substring(0, colon), lines.get(j).substring(colon + 1).trim());
                    }
                }
                return fields;
            }
        }
        return Map.of();
    }

    Optional<String> field(String recipient, String name) {
        return Optional.ofNullable(recipientFields(recipient).get(name));
    }
}
