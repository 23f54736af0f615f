package dev.jameslmtp.client.session;

import java.util.Objects;
import java.util.Optional;

import dev.jameslmtp.client.sasl.Mechanism;

/**
 * How a session was opened: the TLS protocol and cipher suite when it is encrypted, the SASL
 * mechanism and user when it authenticated. For {@code lmtp -v} and the logs; no secret in it.
 */
public record SessionInfo(Optional<String> tlsProtocol, Optional<String> tlsCipher, Optional<Mechanism> mechanism,
                          Optional<String> user) {

    public static final SessionInfo PLAIN = new SessionInfo(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

    public SessionInfo {
        Objects.requireNonNull(tlsProtocol, "tlsProtocol");
        Objects.requireNonNull(tlsCipher, "tlsCipher");
        Objects.requireNonNull(mechanism, "mechanism");
        Objects.requireNonNull(user, "user");
    }

    public boolean encrypted() {
        return tlsProtocol.isPresent();
    }

    public boolean authenticated() {
        return mechanism.isPresent();
    }

    SessionInfo withAuth(Mechanism used, String as) {
        return new SessionInfo(tlsProtocol, tlsCipher, Optional.of(used), Optional.of(as));
    }

    /** {@code "TLSv1.3 TLS_AES_128_GCM_SHA256, AUTH SCRAM-SHA-256 as lmtp"}, or {@code "no TLS, no AUTH"}. */
    @Override
    public String toString() {
        String tls = tlsProtocol.map(p -> p + tlsCipher.map(c -> " " + c).orElse("")).orElse("no TLS");
        String auth = mechanism.map(m -> "AUTH " + m + user.map(u -> " as " + u).orElse("")).orElse("no AUTH");
        return tls + ", " + auth;
    }
}
