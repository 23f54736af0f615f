package dev.jameslmtp.client.sasl;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

import dev.jameslmtp.client.credentials.CredentialSource;
import dev.jameslmtp.client.tls.TlsLevel;

/**
 * How sessions authenticate, as Postfix's {@code lmtp_sasl_*} parameters, plus a fail-closed switch
 * Postfix lacks.
 *
 * <ul>
 *   <li>{@code credentials}: where a destination's user and password come from; none, no AUTH.</li>
 *   <li>{@code mechanisms}: the mechanisms that may be used ({@code lmtp_sasl_mechanism_filter}).</li>
 *   <li>{@code options} / {@code tlsOptions} / {@code verifiedOptions}: security options for each
 *       {@link Protection}: in clear (default {@code noplaintext, noanonymous}), after a TLS
 *       handshake whose certificate was not verified (default {@code noplaintext, noanonymous}, as
 *       Postfix: a peer in the middle can answer STARTTLS with any certificate), after a verified
 *       one or on a trusted UNIX socket (default {@code noanonymous}: PLAIN and LOGIN go only to a
 *       peer that has proven who it is). {@code noplaintext} forbids PLAIN and LOGIN.</li>
 *   <li>{@code trustUnixSocket}: a UNIX-socket connection is local, not on a network: it counts as
 *       {@link Protection#VERIFIED}.</li>
 *   <li>{@code requireAuth}: with no credentials for the destination, no AUTH offered, or no
 *       acceptable mechanism, the session fails with 4.7.0 before any mail is sent. Postfix sends
 *       the mail unauthenticated in the first two cases.</li>
 *   <li>{@code softBounce}: an AUTH refusal is a temporary failure whatever its code
 *       ({@code lmtp_sasl_auth_soft_bounce}, default true); false lets a 5xx refusal bounce.</li>
 *   <li>{@code failureCache}: remembered refusals ({@code lmtp_sasl_auth_cache_time}).</li>
 *   <li>{@code channelBinding}: the channel binding SCRAM uses on TLS sessions (default none; see
 *       {@link ChannelBindingType}).</li>
 *   <li>{@code scramIterations}: the SCRAM iteration counts accepted from a server (see
 *       {@link ScramIterations}).</li>
 * </ul>
 */
public record SaslPolicy(CredentialSource credentials, Set<Mechanism> mechanisms, SecurityOptions options,
                         SecurityOptions tlsOptions, SecurityOptions verifiedOptions, boolean trustUnixSocket,
                         boolean requireAuth, boolean softBounce, AuthFailureCache failureCache, ChannelBindingType channelBinding,
                         ScramIterations scramIterations) {

    /** No AUTH at all. */
    public static final SaslPolicy NONE = new SaslPolicy(CredentialSource.NONE, EnumSet.allOf(Mechanism.class),
            SecurityOptions.DEFAULT, SecurityOptions.DEFAULT, SecurityOptions.NO_ANONYMOUS, false, false, true,
            AuthFailureCache.disabled(), ChannelBindingType.NONE, ScramIterations.DEFAULT);

    public SaslPolicy {
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(tlsOptions, "tlsOptions");
        Objects.requireNonNull(verifiedOptions, "verifiedOptions");
        Objects.requireNonNull(failureCache, "failureCache");
        Objects.requireNonNull(channelBinding, "channelBinding");
        Objects.requireNonNull(scramIterations, "scramIterations");
        mechanisms = Set.copyOf(Objects.requireNonNull(mechanisms, "mechanisms"));
        if (mechanisms.isEmpty()) {
            throw new IllegalArgumentException("no SASL mechanism left to use");
        }
    }

    /** Default options, soft bounce, no cache, with these credentials. */
    public static SaslPolicy of(CredentialSource credentials) {
        return NONE.withCredentials(credentials);
    }

    public SaslPolicy withCredentials(CredentialSource source) {
        return new SaslPolicy(source, mechanisms, options, tlsOptions, verifiedOptions, trustUnixSocket, requireAuth, softBounce,
                failureCache, channelBinding, scramIterations);
    }

    public SaslPolicy withMechanisms(Set<Mechanism> allowed) {
        return new SaslPolicy(credentials, allowed, options, tlsOptions, verifiedOptions, trustUnixSocket, requireAuth, softBounce,
                failureCache, channelBinding, scramIterations);
    }

    /** The security options in clear, after an unverified TLS handshake, after a verified one (or on a trusted UNIX socket). */
    public SaslPolicy withOptions(SecurityOptions clear, SecurityOptions tls, SecurityOptions verifiedTls) {
        return new SaslPolicy(credentials, mechanisms, clear, tls, verifiedTls, trustUnixSocket, requireAuth, softBounce,
                failureCache, channelBinding, scramIterations);
    }

    public SaslPolicy withTrustUnixSocket(boolean trust) {
        return new SaslPolicy(credentials, mechanisms, options, tlsOptions, verifiedOptions, trust, requireAuth, softBounce,
                failureCache, channelBinding, scramIterations);
    }

    public SaslPolicy withRequireAuth(boolean require) {
        return new SaslPolicy(credentials, mechanisms, options, tlsOptions, verifiedOptions, trustUnixSocket, require, softBounce,
                failureCache, channelBinding, scramIterations);
    }

    public SaslPolicy withSoftBounce(boolean soft) {
        return new SaslPolicy(credentials, mechanisms, options, tlsOptions, verifiedOptions, trustUnixSocket, requireAuth, soft,
                failureCache, channelBinding, scramIterations);
    }

    public SaslPolicy withFailureCache(AuthFailureCache cache) {
        return new SaslPolicy(credentials, mechanisms, options, tlsOptions, verifiedOptions, trustUnixSocket, requireAuth, softBounce,
                cache, channelBinding, scramIterations);
    }

    public SaslPolicy withChannelBinding(ChannelBindingType type) {
        return new SaslPolicy(credentials, mechanisms, options, tlsOptions, verifiedOptions, trustUnixSocket, requireAuth, softBounce,
                failureCache, type, scramIterations);
    }

    public SaslPolicy withScramIterations(ScramIterations accepted) {
        return new SaslPolicy(credentials, mechanisms, options, tlsOptions, verifiedOptions, trustUnixSocket, requireAuth, softBounce,
                failureCache, channelBinding, accepted);
    }

    /** The security options for a connection so protected. */
    public SecurityOptions optionsFor(Protection protection) {
        return switch (protection) {
            case CLEAR -> options;
            case ENCRYPTED -> tlsOptions;
            case VERIFIED -> verifiedOptions;
        };
    }

    /** What of this policy shapes an opened session: part of the pool key. */
    public SaslTerms terms() {
        return new SaslTerms(mechanisms, options, tlsOptions, verifiedOptions, trustUnixSocket, requireAuth, channelBinding,
                scramIterations);
    }

    /**
     * The protections under which PLAIN or LOGIN could reach a peer that has not proven who it is,
     * for sessions at TLS level {@code level}: {@code CLEAR} when the options in clear allow them
     * and sessions in clear happen (levels none and may), {@code ENCRYPTED} when the options after
     * an unverified handshake allow them and such handshakes happen (may, encrypt). Empty when
     * neither, or when the mechanism filter leaves neither PLAIN nor LOGIN. For the warning an
     * operator gets at start.
     */
    public Set<Protection> plaintextToUnverifiedPeers(TlsLevel level) {
        EnumSet<Protection> exposed = EnumSet.noneOf(Protection.class);
        if (mechanisms.stream().noneMatch(Mechanism::plaintext)) {
            return exposed;
        }
        if ((level == TlsLevel.NONE || level == TlsLevel.MAY) && !options.noPlaintext()) {
            exposed.add(Protection.CLEAR);
        }
        if ((level == TlsLevel.MAY || level == TlsLevel.ENCRYPT) && !tlsOptions.noPlaintext()) {
            exposed.add(Protection.ENCRYPTED);
        }
        return exposed;
    }
}
