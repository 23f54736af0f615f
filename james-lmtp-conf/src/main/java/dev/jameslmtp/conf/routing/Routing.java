package dev.jameslmtp.conf.routing;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import dev.jameslmtp.client.DestinationList;
import dev.jameslmtp.client.FollowedFile;
import dev.jameslmtp.conf.ConfigurationError;

/**
 * Where a recipient's mail goes: one destination (list) for all, or a {@link TransportMap} by
 * domain, read again from its file when the file changes ({@link Reloading}). A destination is a
 * {@link DestinationList}: one server, or several tried in order.
 */
public sealed interface Routing {

    /** The destination for recipients of {@code domain}; empty when the transport map has no entry for it. */
    Optional<DestinationList> destinationFor(String domain);

    /** Every destination this routing can return. */
    Set<DestinationList> destinations();

    /**
     * This routing as it is now, fixed: for the recipients of one mail, so that its transport map
     * file is looked at once per mail, not once per recipient.
     */
    default Routing now() {
        return this;
    }

    /**
     * The routing of the {@code destination} and {@code transportMap} parameters (stripped, non-empty
     * when present), shared by the mailet and the SMTP recipient-verification hook.
     *
     * @throws ConfigurationError when neither or both are set, or the value is malformed
     */
    static Routing parse(Optional<String> destination, Optional<String> transportMap) {
        if (destination.isPresent() && transportMap.isPresent()) {
            throw ConfigurationError.conflict("parameters 'destination' and 'transportMap' are both set; set exactly one");
        }
        if (destination.isPresent()) {
            try {
                return new Single(DestinationList.parse(destination.get()));
            } catch (IllegalArgumentException e) {
                throw ConfigurationError.invalid("destination", destination.get(),
                        "an LMTP destination such as 'unix:/run/dovecot/lmtp', 'inet:host:24' or '[127.0.0.1]:24', or several "
                        + "separated by commas, tried in order (" + e.getMessage() + ")");
            }
        }
        if (transportMap.isPresent()) {
            Path file;
            try {
                file = Path.of(transportMap.get());
            } catch (InvalidPathException e) {
                throw ConfigurationError.invalid("transportMap", transportMap.get(), "the path of a transport map file");
            }
            try {
                return new Reloading(FollowedFile.open("transport map", file, path -> TransportMap.read("transportMap", path),
                        ConfigurationError.class, map -> map.entries().size()));
            } catch (java.io.IOException e) {
                throw ConfigurationError.unreadable("transportMap", file.toString(), e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage()));
            }
        }
        throw ConfigurationError.missing("destination' or 'transportMap",
                "exactly one of them: 'destination' (e.g. 'unix:/run/dovecot/lmtp' or 'inet:127.0.0.1:24') or 'transportMap' (a file path)");
    }

    record Single(DestinationList destination) implements Routing {
        public Single {
            Objects.requireNonNull(destination, "destination");
        }

        @Override
        public Optional<DestinationList> destinationFor(String domain) {
            return Optional.of(destination);
        }

        @Override
        public Set<DestinationList> destinations() {
            return Set.of(destination);
        }
    }

    record Mapped(TransportMap map) implements Routing {
        public Mapped {
            Objects.requireNonNull(map, "map");
        }

        @Override
        public Optional<DestinationList> destinationFor(String domain) {
            return map.destinationFor(domain);
        }

        @Override
        public Set<DestinationList> destinations() {
            return map.destinations();
        }
    }

    /**
     * The transport map of the {@code transportMap} parameter, following its file: an edit in
     * place or by rename is seen by the next lookup; a broken one keeps the last good map
     * ({@link FollowedFile}).
     */
    final class Reloading implements Routing {
        private final FollowedFile<TransportMap> file;

        Reloading(FollowedFile<TransportMap> file) {
            this.file = Objects.requireNonNull(file, "file");
        }

        @Override
        public Optional<DestinationList> destinationFor(String domain) {
            return file.current().destinationFor(domain);
        }

        @Override
        public Set<DestinationList> destinations() {
            return file.current().destinations();
        }

        @Override
        public Routing now() {
            return new Mapped(file.current());
        }

        @Override
        public String toString() {
            return "transport map " + file.file();
        }
    }
}
