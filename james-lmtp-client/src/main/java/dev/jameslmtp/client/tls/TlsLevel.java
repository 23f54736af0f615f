package dev.jameslmtp.client.tls;

import java.util.Locale;

/**
 * Postfix's {@code lmtp_tls_security_level}, for STARTTLS (or implicit TLS).
 *
 * <ul>
 *   <li>{@code NONE}: never TLS.</li>
 *   <li>{@code MAY}: STARTTLS when offered, certificate not checked; when it is refused or the
 *       handshake fails, the mail goes in clear (a failed handshake on a new connection). A UNIX
 *       socket is treated as {@code NONE}, as Postfix does.</li>
 *   <li>{@code ENCRYPT}: TLS is mandatory, the certificate is not checked. No STARTTLS, a refusal
 *       or a failed handshake defers the mail (4.7.x): not a byte of it goes in clear.</li>
 *   <li>{@code VERIFY}: as {@code ENCRYPT}, and the certificate must chain to the trust anchors
 *       and name the destination host (its DNS name or IP address).</li>
 * </ul>
 */
public enum TlsLevel {
    NONE, MAY, ENCRYPT, VERIFY;

    /** True for ENCRYPT and VERIFY. */
    public boolean mandatory() {
        return this == ENCRYPT || this == VERIFY;
    }

    /**
     * Parses {@code none}, {@code may}, {@code encrypt} or {@code verify} (any case).
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static TlsLevel parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown TLS security level (accepted: none, may, encrypt, verify)");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
