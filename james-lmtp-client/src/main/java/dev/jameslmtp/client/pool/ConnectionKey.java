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
public final class ConnectionKey {

    private final SessionKey session;
    private final String lhloName;
    private final Timeouts timeouts;
    private final OrcptPolicy orcpt;
    private final boolean useChunking;
    /** Worked out once: the pool hashes a key at every take and give-back. */
    private final int hash;

    public ConnectionKey(SessionKey session, String lhloName, Timeouts timeouts, OrcptPolicy orcpt, boolean useChunking) {
        this.session = Objects.requireNonNull(session, "session");
        this.lhloName = Objects.requireNonNull(lhloName, "lhloName");
        this.timeouts = Objects.requireNonNull(timeouts, "timeouts");
        this.orcpt = Objects.requireNonNull(orcpt, "orcpt");
        this.useChunking = useChunking;
        this.hash = Objects.hash(session, lhloName, timeouts, orcpt, useChunking);
    }

    /** The key of a session that {@code client} would open now to {@code endpoint}. */
    public static ConnectionKey of(LmtpClient client, Destination endpoint) {
        return new ConnectionKey(client.sessionKey(endpoint), client.lhloName(), client.timeouts(), client.orcpt(), client.useChunking());
    }

    public SessionKey session() {
        return session;
    }

    public String lhloName() {
        return lhloName;
    }

    public Timeouts timeouts() {
        return timeouts;
    }

    public OrcptPolicy orcpt() {
        return orcpt;
    }

    public boolean useChunking() {
        return useChunking;
    }

    public Destination endpoint() {
        return session.destination();
    }

    @Override
    public boolean equals(Object o) {
        return o == this || (o instanceof ConnectionKey other && hash == other.hash && useChunking == other.useChunking
                && session.equals(other.session) && lhloName.equals(other.lhloName) && timeouts.equals(other.timeouts)
                && orcpt.equals(other.orcpt));
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return "ConnectionKey[session=" + session + ", lhloName=" + lhloName + ", timeouts=" + timeouts + ", orcpt=" + orcpt
                + ", useChunking=" + useChunking + "]";
    }
}
