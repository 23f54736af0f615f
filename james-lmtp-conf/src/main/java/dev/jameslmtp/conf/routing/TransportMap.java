package dev.jameslmtp.conf.routing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.DestinationList;
import dev.jameslmtp.conf.ConfigurationError;

/**
 * Recipient domain to LMTP destination, read from a text file in the spirit of Postfix's
 * {@code transport(5)}.
 *
 * <pre>
 * # comment lines start with '#'; blank lines are ignored
 * example.com        lmtp:unix:/var/run/dovecot/lmtp
 * .example.com       inet:mail-store.internal:24
 * big.example        lmtp:inet:store-a:24, inet:store-b:24
 * *                  lmtp:[127.0.0.1]:24
 * </pre>
 *
 * <ul>
 *   <li>{@code domain destination}, separated by spaces or tabs. Domains are case-insensitive.</li>
 *   <li>{@code example.com} matches that domain only; {@code .example.com} matches its
 *   subdomains, the nearest parent entry winning (Postfix with {@code parent_domain_matches_subdomains}
 *   not listing transport_maps); {@code *} matches what nothing else does.</li>
 *   <li>The destination is in the LMTP client's syntax ({@code unix:/path}, {@code inet:host:port},
 *   {@code [addr]:port}, {@code host}), optionally prefixed with {@code lmtp:}; any other transport
 *   ({@code smtp:}, {@code error:}...) is refused. As in Postfix 3.5 and later, it may be a list of
 *   servers separated by commas and/or spaces, tried in order ({@link DestinationList}).</li>
 * </ul>
 *
 * <p>Stricter than Postfix: a duplicate key, a user@domain key, a continuation line (starting with
 * white space), a trailing comment or a missing destination is an error naming the file and line,
 * not a warning. Immutable.
 */
public final class TransportMap {

    public static final String DEFAULT_KEY = "*";

    /** {@code transport:nexthop}; a bare {@code host:port} also matches, its "nexthop" being a port. */
    private static final Pattern TRANSPORT = Pattern.compile("([a-zA-Z][a-zA-Z0-9+-]*):(.*)");

    private final String source;
    private final Map<String, DestinationList> entries;

    private TransportMap(String source, Map<String, DestinationList> entries) {
        this.source = source;
        this.entries = Map.copyOf(entries);
    }

    /** Reads and parses a file. @throws ConfigurationError naming the parameter, the file and the reason */
    public static TransportMap read(String parameter, Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw ConfigurationError.unreadable(parameter, file.toString(), e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
        return parse(file.toString(), lines);
    }

    /** Parses lines; {@code source} names them in error messages. @throws ConfigurationError naming source and line */
    public static TransportMap parse(String source, List<String> lines) {
        Map<String, DestinationList> entries = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int number = i + 1;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            if (Character.isWhitespace(line.charAt(0))) {
                if (line.strip().startsWith("#")) {
                    continue;
                }
                throw error(source, number, "continuation lines (starting with white space) are not supported");
            }
            String[] fields = line.strip().split("[ \t]+", 2);
            if (fields.length < 2) {
                throw error(source, number, "expected 'domain destination', found only '" + ConfigurationError.shown(fields[0]) + "'");
            }
            if (fields[1].contains("#")) {
                throw error(source, number, "'#' after the destination (comments must be on a line of their own)");
            }
            String key = key(source, number, fields[0]);
            DestinationList destination = destination(source, number, fields[1]);
            if (entries.putIfAbsent(key, destination) != null) {
                throw error(source, number, "duplicate entry for '" + key + "'");
            }
        }
        if (entries.isEmpty()) {
            throw ConfigurationError.conflict("transport map " + source + " has no entries");
        }
        return new TransportMap(source, entries);
    }

    /** The destination for a recipient domain: exact entry, nearest {@code .parent} entry, then {@code *}. */
    public Optional<DestinationList> destinationFor(String domain) {
        String name = domain.toLowerCase(Locale.ROOT);
        DestinationList exact = entries.get(name);
        if (exact != null) {
            return Optional.of(exact);
        }
        for (int dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) {
            DestinationList parent = entries.get(name.substring(dot));
            if (parent != null) {
                return Optional.of(parent);
            }
        }
        return Optional.ofNullable(entries.get(DEFAULT_KEY));
    }

    /** Every distinct destination of the map. */
    public Set<DestinationList> destinations() {
        return new LinkedHashSet<>(entries.values());
    }

    public Map<String, DestinationList> entries() {
        return entries;
    }

    public String source() {
        return source;
    }

    @Override
    public String toString() {
        return "TransportMap[" + source + ", " + entries.size() + " entries]";
    }

    private static String key(String source, int number, String field) {
        if (field.equals(DEFAULT_KEY)) {
            return DEFAULT_KEY;
        }
        if (field.indexOf('@') >= 0) {
            throw error(source, number, "'" + ConfigurationError.shown(field) + "': only domain keys are supported, not addresses");
        }
        String domain = field.startsWith(".") ? field.substring(1) : field;
        if (!domain.matches("(?i)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\\.?")
                && !domain.matches("\\[[0-9a-fA-F:.]+]")) {
            throw error(source, number, "'" + ConfigurationError.shown(field)
                    + "' is not a domain; expected 'example.com', '.example.com' (its subdomains) or '*'");
        }
        String normalised = field.toLowerCase(Locale.ROOT);
        return normalised.endsWith(".") ? normalised.substring(0, normalised.length() - 1) : normalised;
    }

    private static DestinationList destination(String source, int number, String field) {
        String value = field;
        Matcher transport = TRANSPORT.matcher(field);
        if (transport.matches()) {
            String name = transport.group(1).toLowerCase(Locale.ROOT);
            if (name.equals("lmtp")) {
                value = transport.group(2);
            } else if (!name.equals("unix") && !name.equals("inet") && !transport.group(2).matches("\\d{1,5}")) {
                throw error(source, number, "transport '" + ConfigurationError.shown(transport.group(1))
                        + "' is not supported; only lmtp destinations ('lmtp:unix:/path', 'lmtp:inet:host:port', 'lmtp:[addr]:port')");
            }
        }
        if (value.isEmpty()) {
            throw error(source, number, "'" + ConfigurationError.shown(field) + "' has no next hop after 'lmtp:'");
        }
        try {
            return DestinationList.parse(value);
        } catch (IllegalArgumentException e) {
            // the parser quotes the element as written: neutralised, as every value shown in an error
            throw error(source, number, "destination '" + ConfigurationError.shown(field) + "': " + ConfigurationError.shown(e.getMessage()));
        }
    }

    private static ConfigurationError error(String source, int number, String problem) {
        return ConfigurationError.inFile("transport map", source, number, problem);
    }
}
