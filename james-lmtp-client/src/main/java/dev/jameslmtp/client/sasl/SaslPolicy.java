package dev.jameslmtp.client.sasl;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * How sessions authenticate, as Postfix's {@code lmtp_sasl_*} parameters, plus a fail-closed switch
 * Postfix lacks.
 *
 * <ul>
 *   <li>{@code credentials}: where a destination's user and password come from; none, no AUTH.</li>
 *   <li>{@code mechanisms}: the mechanisms that may be used ({@code lmtp_sasl_mechanism_filter}).</li>
 *   <li>{@code options} / {@code tlsOptions}: security options on a connection in clear (default
 *       {@code noplaintext, noanonymous}) and on a TLS connection (default {@code noanonymous}: PLAIN
 *       and LOGIN are fine inside TLS). {@code noplaintext} forbids PLAIN and LOGIN.</li>
 *   <li>{@code trustUnixSocket}: a UNIX-socket connection counts as encrypted (local, not on a
 *       network), so {@code tlsOptions} apply to it.</li>
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
                         SecurityOptions tlsOptions, boolean trustUnixSocket, boolean requireAuth, boolean softBounce,
                         AuthFailureCache failureCache, ChannelBindingType channelBinding,
                         ScramIterations scramIterations) {

    /** No AUTH at all. */
    public static final SaslPolicy NONE = new SaslPolicy(CredentialSource.NONE, EnumSet.allOf(Mechanism.class),
            SecurityOptions.DEFAULT, SecurityOptions.NO_ANONYMOUS, false, false, true, AuthFailureCache.disabled(), ChannelBindingType.NONE,
            ScramIterations.DEFAULT);

    public SaslPolicy {
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(tlsOptions, "tlsOptions");
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
        return new SaslPolicy(source, mechanisms, options, tlsOptions, trustUnixSocket, requireAuth, softBounce, failureCache, channelBinding, scramIterations);
    }

    public SaslPolicy withMechanisms(Set<Mechanism> allowed) {
        return new SaslPolicy(credentials, allowed, options, tlsOptions, trustUnixSocket, requireAuth, softBounce, failureCache, channelBinding, scramIterations);
    }

    public SaslPolicy withOptions(SecurityOptions plain, SecurityOptions tls) {
        return new SaslPolicy(credentials, mechanisms, plain, tls, trustUnixSocket, requireAuth, softBounce, failureCache, channelBinding, scramIterations);
    }

    public SaslPolicy withTrustUnixSocket(boolean trust) {
        return new SaslPolicy(credentials, mechanisms, options, tlsOptions, trust, requireAuth, softBounce, failureCache, channelBinding, scramIterations);
    }

    public SaslPolicy withRequireAuth(boolean require) {
        return new SaslPolicy(credentials, mechanisms, options, tlsOptions, trustUnixSocket, require, softBounce, failureCache, channelBinding, scramIterations);
    }

    public SaslPolicy withSoftBounce(boolean soft) {
        return new SaslPolicy(credentials, mechanisms, options, tlsOptions, trustUnixSocket, requireAuth, soft, failureCache, channelBinding, scramIterations);
    }

    public SaslPolicy withFailureCache(AuthFailureCache cache) {
        return new SaslPolicy(credentials, mechanisms, options, tlsOptions, trustUnixSocket, requireAuth, softBounce, cache, channelBinding, scramIterations);
    }

    public SaslPolicy withChannelBinding(ChannelBindingType type) {
        return new SaslPolicy(credentials, mechanisms, options, tlsOptions, trustUnixSocket, requireAuth, softBounce, failureCache, type, scramIterations);
    }

    public SaslPolicy withScramIterations(ScramIterations accepted) {
        return new SaslPolicy(credentials, mechanisms, options, tlsOptions, trustUnixSocket, requireAuth, softBounce, failureCache, channelBinding,
                accepted);
    }

    /** The security options for a connection that is (or counts as) encrypted or not. */
    public SecurityOptions optionsFor(boolean secure) {
        return secure ? tlsOptions : options;
    }
}
