package dev.jameslmtp.client.sasl;

/**
 * How well a connection keeps a password from anyone but the store, which decides the SASL
 * security options that apply to it (Postfix's three lists):
 *
 * <ul>
 *   <li>{@code CLEAR}: no TLS ({@code lmtp_sasl_security_options}).</li>
 *   <li>{@code ENCRYPTED}: TLS whose certificate was not verified, levels {@code may} and
 *       {@code encrypt}: anyone on the path can answer STARTTLS with a certificate of its own
 *       ({@code lmtp_sasl_tls_security_options}).</li>
 *   <li>{@code VERIFIED}: TLS whose certificate was verified, level {@code verify}, or a UNIX
 *       socket trusted as local ({@code lmtp_sasl_tls_verified_security_options}).</li>
 * </ul>
 */
public enum Protection {
    CLEAR("sessions in clear"),
    ENCRYPTED("TLS sessions whose certificate is not verified"),
    VERIFIED("TLS sessions with a verified certificate and trusted UNIX sockets");

    private final String description;

    Protection(String description) {
        this.description = description;
    }

    /** For messages: {@code "TLS sessions whose certificate is not verified"}. */
    public String description() {
        return description;
    }
}
