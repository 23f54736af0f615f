package dev.jameslmtp.client;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

import dev.jameslmtp.client.wire.WireSafety;

/**
 * Where an LMTP server listens, written as Postfix writes LMTP destinations.
 *
 * <pre>
 * unix:/path/to/socket          a UNIX-domain socket
 * inet:host  inet:host:port     a host name, resolved to its addresses (never MX records)
 * inet:[addr] inet:[addr]:port  a numeric IPv4 address
 * inet:[ipv6:addr]:port         a numeric IPv6 address ("[::1]" is accepted too)
 * host:port, [addr]:port, host  as above: no prefix means inet:
 * </pre>
 *
 * <p>The port defaults to {@value #DEFAULT_PORT} and may be numeric or the service name {@code lmtp}.
 * Port 25 is refused: RFC 2033 §4 forbids LMTP on the SMTP port.
 *
 * <p>DIAGNOSTICS: {@link #parse} throws {@link IllegalArgumentException} whose message quotes the
 * whole destination and names the part that is wrong.
 */
public sealed interface Destination permits Destination.Inet, Destination.Unix {

    int DEFAULT_PORT = 24;

    /** A TCP destination. {@code numeric} is true when the host was written in brackets. */
    record Inet(String host, int port, boolean numeric) implements Destination {
        public Inet {
            Objects.requireNonNull(host, "host");
            if (host.isEmpty()) {
                throw new IllegalArgumentException("host is empty");
            }
            checkPort(port, "inet:" + host + ":" + port);
        }

        /** The host as it is given to the resolver: an IPv6 literal without brackets or "ipv6:" prefix. */
        @Override
        public String toString() {
            if (!numeric) {
                return "inet:" + host + ":" + port;
            }
            return host.contains(":") ? "inet:[ipv6:" + host + "]:" + port : "inet:[" + host + "]:" + port;
        }
    }

    /** A UNIX-domain socket. */
    record Unix(Path path) implements Destination {
        public Unix {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public String toString() {
            return "unix:" + path;
        }
    }

    /**
     * Parses a destination.
     *
     * @throws IllegalArgumentException naming the malformed part
     */
    static Destination parse(String text) {
        Objects.requireNonNull(text, "destination");
        String value = text.strip();
        if (value.isEmpty()) {
            throw new IllegalArgumentException("destination is empty; expected unix:/path, inet:host[:port] or inet:[addr][:port]");
        }
        WireSafety.requireNoControlCharacters("destination", value);
        String lower = value.toLowerCase(Locale.ROOT);
        if (lower.startsWith("unix:")) {
            String path = value.substring("unix:".length());
            if (path.isEmpty()) {
                throw bad(text, "the socket path after 'unix:' is empty");
            }
            return new Unix(Path.of(path));
        }
        String rest = lower.startsWith("inet:") ? value.substring("inet:".length()) : value;
        if (rest.isEmpty()) {
            throw bad(text, "the host after 'inet:' is empty");
        }
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                throw bad(text, "'[' without a closing ']'");
            }
            String literal = rest.substring(1, close);
            String after = rest.substring(close + 1);
            String address = numericAddress(text, literal);
            int port = DEFAULT_PORT;
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw bad(text, "unexpected '" + after + "' after ']' (expected ':port')");
                }
                port = port(text, after.substring(1));
            }
            return new Inet(address, port, true);
        }
        int colon = rest.lastIndexOf(':');
        String host = colon < 0 ? rest : rest.substring(0, colon);
        int port = colon < 0 ? DEFAULT_PORT : port(text, rest.substring(colon + 1));
        if (host.isEmpty()) {
            throw bad(text, "the host is empty");
        }
        if (host.contains(":")) {
            throw bad(text, "host '" + host + "' contains ':' (write an IPv6 address as [ipv6:addr])");
        }
        if (!host.matches("[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?")) {
            throw bad(text, "host '" + host + "' is not a valid host name");
        }
        return new Inet(host, port, false);
    }

    private static String numericAddress(String text, String literal) {
        String address = literal.regionMatches(true, 0, "ipv6:", 0, 5) ? literal.substring(5) : literal;
        if (address.isEmpty()) {
            throw bad(text, "the address inside [] is empty");
        }
        boolean ipv4 = address.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean ipv6 = address.contains(":") && address.matches("[0-9A-Fa-f:.]+");
        if (ipv4) {
            for (String octet : address.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    throw bad(text, "address '" + address + "' is not a valid IPv4 address");
                }
            }
            return address;
        }
        if (ipv6) {
            return address;
        }
        throw bad(text, "'[" + literal + "]' is not a numeric address (use [1.2.3.4] or [ipv6:::1], or drop the brackets for a host name)");
    }

    private static int port(String text, String port) {
        if (port.equalsIgnoreCase("lmtp")) {
            return DEFAULT_PORT;
        }
        if (!port.matches("\\d{1,5}")) {
            throw bad(text, "port '" + port + "' is not a number from 1 to 65535 (or 'lmtp')");
        }
        int value = Integer.parseInt(port);
        checkPort(value, text);
        return value;
    }

    private static void checkPort(int port, String text) {
        if (port < 1 || port > 65535) {
            throw bad(text, "port '" + port + "' is not a number from 1 to 65535");
        }
        if (port == 25) {
            throw bad(text, "port 25 is the SMTP port, and RFC 2033 §4 forbids LMTP there (the LMTP port is 24)");
        }
    }

    private static IllegalArgumentException bad(String text, String problem) {
        return new IllegalArgumentException("malformed LMTP destination '" + text + "': " + problem);
    }
}
