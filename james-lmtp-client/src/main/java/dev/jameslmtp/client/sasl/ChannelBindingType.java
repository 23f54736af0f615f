package dev.jameslmtp.client.sasl;

import java.util.Locale;

/**
 * Which channel binding SCRAM uses on a TLS session ({@code saslChannelBinding}).
 *
 * <ul>
 *   <li>{@code NONE}: no binding; {@code -PLUS} mechanisms are never chosen and the gs2 header
 *       says {@code n} (the client does not support binding).</li>
 *   <li>{@code TLS_SERVER_END_POINT}: RFC 5929 §4, a hash of the server's certificate. On TLS,
 *       {@code SCRAM-SHA-256-PLUS} or {@code SCRAM-SHA-1-PLUS} is preferred when offered
 *       ({@code p=tls-server-end-point}); when the server offers no {@code -PLUS} mechanism the
 *       header says {@code y}, so a server that does support binding detects that the offer was
 *       stripped (RFC 5802 §6). The only type a JDK can compute: {@code tls-unique} needs the TLS
 *       Finished message and {@code tls-exporter} keying material export, which the JDK's TLS does
 *       not expose.</li>
 * </ul>
 */
public enum ChannelBindingType {
    NONE("none"),
    TLS_SERVER_END_POINT("tls-server-end-point");

    private final String text;

    ChannelBindingType(String text) {
        this.text = text;
    }

    /**
     * Parses {@code none} or {@code tls-server-end-point} (any case).
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static ChannelBindingType parse(String value) {
        String lower = value.strip().toLowerCase(Locale.ROOT);
        for (ChannelBindingType type : values()) {
            if (type.text.equals(lower)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown channel binding type (accepted: none, tls-server-end-point)");
    }

    @Override
    public String toString() {
        return text;
    }
}
