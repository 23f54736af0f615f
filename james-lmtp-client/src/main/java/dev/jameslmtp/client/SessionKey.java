package dev.jameslmtp.client;

import java.util.Objects;
import java.util.Optional;

import dev.jameslmtp.client.sasl.AuthIdentity;
import dev.jameslmtp.client.tls.TlsPolicy;

/**
 * What a session opened now for a destination would be: the destination, the TLS policy and who
 * it would authenticate as (user and a keyed fingerprint of the password, never the password).
 * Two deliveries may share a pooled session only when their keys are equal, so credentials are
 * never shared by accident (Postfix keys its connection cache the same way). {@link #toString()}
 * shows the user only.
 */
public record SessionKey(Destination destination, TlsPolicy tls, Optional<AuthIdentity> identity) {

    public SessionKey {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(identity, "identity");
    }
}
