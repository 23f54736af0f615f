package dev.jameslmtp.client.credentials;

import java.util.Objects;

/**
 * A SASL user name and its password. {@link #toString()} names the user only.
 */
public record Credentials(String user, Secret password) {

    public Credentials {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        if (user.isEmpty()) {
            throw new IllegalArgumentException("the SASL user name is empty");
        }
        for (int i = 0; i < user.length(); i++) {
            if (user.charAt(i) < 0x20 || user.charAt(i) == 0x7f) {
                throw new IllegalArgumentException("the SASL user name contains a control character");
            }
        }
    }

    public static Credentials of(String user, String password) {
        return new Credentials(user, Secret.of(password));
    }

    /** The identity without the password: the user and the password's keyed fingerprint. */
    public AuthIdentity identity() {
        return new AuthIdentity(user, password.fingerprint());
    }

    @Override
    public String toString() {
        return "Credentials[user=" + user + ", password=" + Secret.SHOWN + "]";
    }
}
