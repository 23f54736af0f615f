package dev.jameslmtp.client.pool;

import java.util.Objects;

import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.LmtpClient;
import dev.jameslmtp.client.OrcptPolicy;
import dev.jameslmtp.client.session.SessionKey;
import dev.jameslmtp.client.session.Timeouts;

/**
 * What a cached connection may be reused for, as Postfix keys its connection cache: the
 * {@link SessionKey} (endpoint, TLS policy, SASL identity and SASL terms, so that an authenticated
 * session is never handed to a sender with other credentials or stricter terms), plus the LHLO name, the timeouts, the ORCPT
 * policy and {@code useChunking}, which
 * are fixed when the session opens while several mailets with different settings share one pool.
 * {@link #toString()} shows no password (the session key holds none).
 */
public record ConnectionKey(SessionKey session, String lhloName, Timeouts timeouts, OrcptPolicy orcpt, boolean useChunking) {

    public ConnectionKey {
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(lhloName, "lhloName");
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(orcpt, "orcpt");
    }

    /** The key of a session that {@code client} would open now to {@code endpoint}. */
    public static ConnectionKey of(LmtpClient client, Destination endpoint) {
        return new ConnectionKey(client.sessionKey(endpoint), client.lhloName(), client.timeouts(), client.orcpt(), client.useChunking());
    }

    public Destination endpoint() {
        return session.destination();
    }
}
