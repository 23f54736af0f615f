package dev.jameslmtp.client.sasl;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.jameslmtp.client.credentials.AuthIdentity;
import dev.jameslmtp.client.credentials.Credentials;

/**
 * Remembers that a server refused a user and password, as Postfix's
 * {@code lmtp_sasl_auth_cache_name}/{@code _time}, so that a wrong password in the map does not
 * make every mail try it again. Keyed by the server (the destination as text), the user and the
 * password's keyed fingerprint: a changed password is tried at once. Only permanent (5xx) AUTH
 * failures are remembered. The clock is injected so tests can move time.
 *
 * <p>Thread-safe. Entries expire after the configured time; a zero time disables the cache.
 */
public final class AuthFailureCache {

    private final Clock clock;
    private final Duration lifetime;
    private final Map<Key, Entry> failures = new ConcurrentHashMap<>();

    public AuthFailureCache(Clock clock, Duration lifetime) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.lifetime = Objects.requireNonNull(lifetime, "lifetime");
        if (lifetime.isNegative()) {
            throw new IllegalArgumentException("lifetime < 0: " + lifetime);
        }
    }

    /** A cache that remembers nothing. */
    public static AuthFailureCache disabled() {
        return new AuthFailureCache(Clock.systemUTC(), Duration.ZERO);
    }

    /** Remembers that {@code server} refused {@code credentials} with {@code reply} (the server's words, shown later). */
    public void remember(String server, Credentials credentials, String reply) {
        if (!lifetime.isZero()) {
            failures.put(new Key(server, credentials.identity()), new Entry(clock.instant().plus(lifetime), reply));
        }
    }

    /** The remembered refusal, if it has not expired. */
    public Optional<String> refusal(String server, Credentials credentials) {
        if (lifetime.isZero()) {
            return Optional.empty();
        }
        Key key = new Key(server, credentials.identity());
        Entry entry = failures.get(key);
        if (entry == null) {
            return Optional.empty();
        }
        if (!clock.instant().isBefore(entry.expires)) {
            failures.remove(key, entry);
            return Optional.empty();
        }
        return Optional.of(entry.reply);
    }

    public Duration lifetime() {
        return lifetime;
    }

    private record Key(String server, AuthIdentity identity) {
    }

    private record Entry(Instant expires, String reply) {
    }
}
