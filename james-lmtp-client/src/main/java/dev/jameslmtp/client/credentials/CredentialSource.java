package dev.jameslmtp.client.credentials;

import java.util.Objects;
import java.util.Optional;

import dev.jameslmtp.client.Destination;

/**
 * Where a session finds the credentials for a destination: a password map (reloaded when its file
 * changes, {@link PasswordMapFile}), fixed credentials (the command line's {@code --user}), or none.
 * Asked once per connection. No credentials means no AUTH.
 */
@FunctionalInterface
public interface CredentialSource {

    CredentialSource NONE = destination -> Optional.empty();

    Optional<Credentials> forDestination(Destination destination);

    /** The same credentials for every destination. */
    static CredentialSource fixed(Credentials credentials) {
        Objects.requireNonNull(credentials, "credentials");
        return destination -> Optional.of(credentials);
    }
}
