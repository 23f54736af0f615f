package dev.jameslmtp.client.session;

import java.util.Objects;
import java.util.Optional;

import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.credentials.AuthIdentity;
import dev.jameslmtp.client.sasl.SaslTerms;
import dev.jameslmtp.client.tls.TlsPolicy;

/**
 * What a session opened now for a destination would be: the destination, the TLS policy, who it
 * would authenticate as (user and a keyed fingerprint of the password, never the password) and
 * under which SASL terms (mechanisms, security options, trusted UNIX socket, {@code requireAuth},
 * channel binding). Two deliveries may share a pooled session only when their keys are equal, so
 * credentials are never shared by accident (Postfix keys its connection cache the same way), and a
 * session opened under laxer terms never serves a sender with stricter ones. {@link #toString()}
 * shows the user only, no password.
 */
public record SessionKey(Destination destination, TlsPolicy tls, Optional<AuthIdentity> identity, SaslTerms sasl) {

    public SessionKey {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(sasl, "sasl");
    }
}
