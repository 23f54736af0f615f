package dev.jameslmtp.client.sasl;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Chooses the strongest mechanism that the server offers, the configured filter lists and the
 * security options allow (Postfix intersects the same three lists). The order of strength is
 * {@link Mechanism}'s: SCRAM-SHA-256-PLUS, SCRAM-SHA-1-PLUS (only when the session has a channel
 * binding), SCRAM-SHA-256, SCRAM-SHA-1, CRAM-MD5, PLAIN, LOGIN.
 */
public final class MechanismChoice {

    private MechanismChoice() {
    }

    /**
     * @param offered  the server's AUTH parameters (any case; unknown names ignored)
     * @param filter   the mechanisms configured ({@code saslMechanisms}); all when it holds every one
     * @param options  the security options for this connection (plain or TLS)
     */
    public static Optional<Mechanism> choose(List<String> offered, Set<Mechanism> filter, SecurityOptions options) {
        return choose(offered, filter, options, false);
    }

    /** As above; {@code -PLUS} mechanisms only when {@code channelBinding} (a TLS session with a binding). */
    public static Optional<Mechanism> choose(List<String> offered, Set<Mechanism> filter, SecurityOptions options,
                                             boolean channelBinding) {
        Set<String> names = offered.stream().map(n -> n.toUpperCase(Locale.ROOT)).collect(java.util.stream.Collectors.toSet());
        for (Mechanism mechanism : Mechanism.values()) {
            if (names.contains(mechanism.saslName()) && filter.contains(mechanism) && options.allows(mechanism)
                    && (channelBinding || !mechanism.channelBinding())) {
                return Optional.of(mechanism);
            }
        }
        return Optional.empty();
    }

    /** True when the server offers any {@code -PLUS} mechanism (a client with a binding then must not say {@code y}). */
    public static boolean offersChannelBinding(List<String> offered) {
        return offered.stream().anyMatch(n -> n.toUpperCase(Locale.ROOT).endsWith("-PLUS"));
    }
}
