package dev.jameslmtp.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One or more LMTP servers for the same mail, tried in order, written as Postfix 3.5 and later
 * write a list of next hops: destinations separated by commas and/or white space,
 * {@code inet:a.example:24, inet:b.example:24} or {@code unix:/run/dovecot/lmtp inet:backup:24}.
 * Each element is a {@link Destination}.
 *
 * <p>DIAGNOSTICS: {@link #parse} throws {@link IllegalArgumentException} naming the element that
 * is wrong, or saying that the list is empty or names one server twice. Immutable.
 *
 * <p>No streams here, and a list of one compares nothing: the {@code lmtp} command parses one list
 * per run, and the first {@code equals} or {@code hashCode} of a record costs the JVM's set-up of
 * record methods (tens of milliseconds at start-up).
 */
public record DestinationList(List<Destination> servers) {

    public DestinationList {
        servers = List.copyOf(Objects.requireNonNull(servers, "servers"));
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("a destination list needs at least one destination");
        }
        for (int i = 1; i < servers.size(); i++) {
            if (servers.subList(0, i).contains(servers.get(i))) {
                throw new IllegalArgumentException("destination list '" + join(servers) + "' names a server twice");
            }
        }
    }

    public static DestinationList of(Destination... servers) {
        return new DestinationList(List.of(servers));
    }

    /** Parses {@code "inet:a:24, inet:b:24"}; a single destination is a list of one. */
    public static DestinationList parse(String text) {
        Objects.requireNonNull(text, "destination");
        List<Destination> servers = new ArrayList<>();
        for (String element : text.strip().split("[,\\s]+")) {
            if (!element.isEmpty()) {
                servers.add(Destination.parse(element));
            }
        }
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("destination is empty; expected unix:/path, inet:host[:port] or inet:[addr][:port],"
                    + " or several of them separated by commas");
        }
        return new DestinationList(servers);
    }

    /** The first server: the only one of a list of one. */
    public Destination first() {
        return servers.get(0);
    }

    /** {@code "inet:a:24, inet:b:24"}, parseable again. */
    @Override
    public String toString() {
        return join(servers);
    }

    private static String join(List<Destination> servers) {
        StringBuilder joined = new StringBuilder().append(servers.get(0));
        for (int i = 1; i < servers.size(); i++) {
            joined.append(", ").append(servers.get(i));
        }
        return joined.toString();
    }
}
