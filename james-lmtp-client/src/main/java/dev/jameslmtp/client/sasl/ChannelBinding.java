package dev.jameslmtp.client.sasl;

import java.util.Objects;

/**
 * The channel binding of one TLS session (RFC 5056): its type name as in the SCRAM gs2 header
 * ({@code tls-server-end-point}) and its data. Shown as its type only.
 */
public record ChannelBinding(String type, byte[] data) {

    public ChannelBinding {
        Objects.requireNonNull(type, "type");
        data = Objects.requireNonNull(data, "data").clone();
        if (data.length == 0) {
            throw new IllegalArgumentException("empty channel binding data");
        }
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public String toString() {
        return type;
    }
}
