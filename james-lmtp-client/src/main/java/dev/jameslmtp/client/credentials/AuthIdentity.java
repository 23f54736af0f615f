package dev.jameslmtp.client.credentials;

import java.util.Objects;

/**
 * Who a session authenticates as, without the password: the user and a keyed fingerprint of the
 * password (see {@link Secret#fingerprint()}). Equal when user and password are equal, so it can be
 * part of a connection-pool key: a session opened with one password is never handed to a delivery
 * that would use another. {@link #toString()} shows the user only.
 */
public record AuthIdentity(String user, String passwordFingerprint) {

    public AuthIdentity {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(passwordFingerprint, "passwordFingerprint");
    }

    @Override
    public String toString() {
        return user;
    }
}
