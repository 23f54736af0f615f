package dev.jameslmtp.conf;

import java.util.Objects;
import java.util.Set;

import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.DestinationList;

/**
 * The destinations to which the original SMTP client's address and HELO name go with XCLIENT
 * ({@code xclientDestinations}, opt-in): none by default, {@code *} for every one, or a list of
 * servers written as destinations are; a destination (list) is covered when one of its servers
 * is. XCLIENT is sent only to a server that offers it (Dovecot, to clients in its
 * {@code login_trusted_networks}).
 */
public record XclientDestinations(boolean all, Set<Destination> servers) {

    public static final XclientDestinations NONE = new XclientDestinations(false, Set.of());

    public XclientDestinations {
        servers = Set.copyOf(Objects.requireNonNull(servers, "servers"));
    }

    public boolean covers(DestinationList destination) {
        return all || destination.servers().stream().anyMatch(servers::contains);
    }

    /** {@code *}, or destinations separated by commas or white space. @throws IllegalArgumentException on a malformed one */
    static XclientDestinations parse(String text) {
        if (text.strip().equals("*")) {
            return new XclientDestinations(true, Set.of());
        }
        return new XclientDestinations(false, Set.copyOf(DestinationList.parse(text).servers()));
    }
}
