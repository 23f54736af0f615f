package dev.jameslmtp.conf;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import dev.jameslmtp.client.Destination;

/** Where a recipient's mail goes: one destination for all, or a {@link TransportMap} by domain. */
public sealed interface Routing {

    /** The destination for recipients of {@code domain}; empty when the transport map has no entry for it. */
    Optional<Destination> destinationFor(String domain);

    /** Every destination this routing can return. */
    Set<Destination> destinations();

    record Single(Destination destination) implements Routing {
        public Single {
            Objects.requireNonNull(destination, "destination");
        }

        @Override
        public Optional<Destination> destinationFor(String domain) {
            return Optional.of(destination);
        }

        @Override
        public Set<Destination> destinations() {
            return Set.of(destination);
        }
    }

    record Mapped(TransportMap map) implements Routing {
        public Mapped {
            Objects.requireNonNull(map, "map");
        }

        @Override
        public Optional<Destination> destinationFor(String domain) {
            return map.destinationFor(domain);
        }

        @Override
        public Set<Destination> destinations() {
            return map.destinations();
        }
    }
}
