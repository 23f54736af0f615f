package dev.jameslmtp.client;

import java.util.Locale;

import dev.jameslmtp.client.wire.Reply;
import dev.jameslmtp.client.wire.Transcript;

/**
 * Whether {@code ORCPT=} (RFC 3461, the address the sender used before James rewrote it) goes on
 * {@code RCPT TO} to a store that does not offer {@code DSN} ({@code orcptWithoutDsn}); to one
 * that offers it, it always goes, with NOTIFY. Measured on Debian 12: Dovecot 2.3's LMTP accepts
 * ORCPT without offering DSN (its proxy relies on it; {@code lmtp_hdr_delivery_address = original}
 * puts it in {@code Delivered-To:}) and answers {@code 555} to NOTIFY; Cyrus 3.6 answers
 * {@code 501 5.5.4 Unrecognized parameters} to any parameter, which would bounce the recipient.
 */
public enum OrcptPolicy {

    /** To a store whose greeting names Dovecot: it takes ORCPT. The default. */
    AUTO,
    /** To every store: only for stores known to accept it. */
    ALWAYS,
    /** Only with DSN, as RFC 3461 has it. */
    NEVER;

    /** Whether ORCPT goes to a store without DSN that greeted with {@code greeting}. */
    public boolean withoutDsn(Reply greeting) {
        return switch (this) {
            case ALWAYS -> true;
            case NEVER -> false;
            case AUTO -> greeting.lines().stream().anyMatch(line -> line.contains(" Dovecot"));
        };
    }

    /** {@code auto}, {@code always}, {@code never}, any case. @throws IllegalArgumentException otherwise */
    public static OrcptPolicy parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + Transcript.neutralise(text) + "' is not auto, always or never", e);
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
