package dev.jameslmtp.client;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import dev.jameslmtp.client.wire.WireSafety;

/**
 * Who a message is from and for. The empty sender is the null reverse-path {@code <>} (bounces).
 * Recipients are kept in order and may repeat: RFC 2033 gives each RCPT its own reply.
 * {@code ret} and {@code envid} are RFC 3461 MAIL parameters, sent when the server offers DSN;
 * {@code origin}, when present, goes to a server that offers XCLIENT before the transaction.
 */
public record Envelope(String sender, List<Recipient> recipients, Optional<String> ret, Optional<String> envid, Optional<Origin> origin) {

    /** An envelope whose origin is not passed on. */
    public Envelope(String sender, List<Recipient> recipients, Optional<String> ret, Optional<String> envid) {
        this(sender, recipients, ret, envid, Optional.empty());
    }

    public Envelope {
        Objects.requireNonNull(origin, "origin");
        WireSafety.requireAddress("sender address", Objects.requireNonNull(sender, "sender"));
        recipients = List.copyOf(recipients);
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("an envelope needs at least one recipient");
        }
        ret.ifPresent(r -> {
            if (!r.equals("FULL") && !r.equals("HDRS")) {
                throw new IllegalArgumentException("RET must be FULL or HDRS");
            }
        });
        envid.ifPresent(e -> WireSafety.requireParameterValue("ENVID", e));
    }

    public static Envelope of(String sender, String... recipients) {
        return new Envelope(sender, List.of(recipients).stream().map(Recipient::of).toList(), Optional.empty(), Optional.empty());
    }

    public static Envelope of(String sender, List<Recipient> recipients) {
        return new Envelope(sender, recipients, Optional.empty(), Optional.empty());
    }

    /** This envelope for {@code recipients} only (a server of a list taking what the previous one could not). */
    public Envelope withRecipients(List<Recipient> recipients) {
        return new Envelope(sender, recipients, ret, envid, origin);
    }

    /** True when the sender or a recipient needs SMTPUTF8. */
    public boolean senderNeedsSmtpUtf8() {
        return WireSafety.needsSmtpUtf8(sender);
    }
}
