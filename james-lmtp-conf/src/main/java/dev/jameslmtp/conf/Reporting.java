package dev.jameslmtp.conf;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import dev.jameslmtp.client.Destination;

/**
 * What the mailet reports, and to whom: bounces to the sender ({@link BounceMode}), delay
 * warnings after {@code delayWarningTime} (Postfix's {@code delay_warning_time}; empty = none),
 * notices to the postmaster ({@code notifyClasses}, Postfix's {@code notify_classes}), and the
 * destinations whose LMTP transcripts are logged at INFO ({@code debugPeerList}, Postfix's
 * {@code debug_peer_list}).
 */
public record Reporting(BounceMode bounceMode, Optional<Duration> delayWarningTime, Set<NotifyClass> notifyClasses,
                        List<Destination> debugPeers) {

    public Reporting {
        Objects.requireNonNull(bounceMode, "bounceMode");
        Objects.requireNonNull(delayWarningTime, "delayWarningTime");
        notifyClasses = Set.copyOf(notifyClasses);
        debugPeers = List.copyOf(debugPeers);
        if (delayWarningTime.isPresent() && bounceMode != BounceMode.RFC3464) {
            throw new IllegalArgumentException("delay warnings are written by bounceMode rfc3464 only");
        }
        if (delayWarningTime.isPresent() && (delayWarningTime.get().isNegative() || delayWarningTime.get().isZero())) {
            throw new IllegalArgumentException("delayWarningTime must be positive");
        }
    }

    /** The defaults: RFC 3464 bounces, no delay warnings, no postmaster notices, no debug peers. */
    public static Reporting defaults() {
        return new Reporting(BounceMode.RFC3464, Optional.empty(), Set.of(), List.of());
    }

    public boolean notifies(NotifyClass notifyClass) {
        return notifyClasses.contains(notifyClass);
    }

    /**
     * Whether {@code destination} is on the debug peer list. A TCP destination matches an entry
     * with the same host and port however the host was written ({@code [127.0.0.1]} or
     * {@code 127.0.0.1}); a UNIX socket matches the same path.
     */
    public boolean isDebugPeer(Destination destination) {
        return debugPeers.stream().anyMatch(peer -> sameEndpoint(peer, destination));
    }

    private static boolean sameEndpoint(Destination a, Destination b) {
        if (a instanceof Destination.Inet x && b instanceof Destination.Inet y) {
            return x.host().equalsIgnoreCase(y.host()) && x.port() == y.port();
        }
        return a.equals(b);
    }
}
