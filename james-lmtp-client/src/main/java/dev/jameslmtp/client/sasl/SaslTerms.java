package dev.jameslmtp.client.sasl;

import java.util.Objects;
import java.util.Set;

/**
 * The part of a {@link SaslPolicy} that decides how a session authenticates, and so what a
 * session opened under it is: the mechanisms, the security options for each {@link Protection},
 * whether a UNIX socket is trusted, whether AUTH is required, the channel binding and the SCRAM
 * iteration counts accepted. Part of the
 * pool key: a session authenticated under laxer terms (PLAIN after an unverified handshake, no
 * AUTH where it is required) is never handed to a sender whose terms forbid it. The credentials
 * are keyed apart (their identity); the soft bounce and the failure cache only matter when
 * authentication fails, so they are not here. No secret in it.
 */
public record SaslTerms(Set<Mechanism> mechanisms, SecurityOptions options, SecurityOptions tlsOptions,
                        SecurityOptions verifiedOptions, boolean trustUnixSocket, boolean requireAuth,
                        ChannelBindingType channelBinding, ScramIterations scramIterations) {

    public SaslTerms {
        mechanisms = Set.copyOf(Objects.requireNonNull(mechanisms, "mechanisms"));
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(tlsOptions, "tlsOptions");
        Objects.requireNonNull(verifiedOptions, "verifiedOptions");
        Objects.requireNonNull(channelBinding, "channelBinding");
        Objects.requireNonNull(scramIterations, "scramIterations");
    }
}
