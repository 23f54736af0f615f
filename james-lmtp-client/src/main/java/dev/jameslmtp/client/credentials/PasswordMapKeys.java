package dev.jameslmtp.client.credentials;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

import dev.jameslmtp.client.Destination;

/**
 * The keys under which a destination's credentials are looked up, in Postfix's order
 * ({@code smtp_sasl_passwd_lookup}; the sender-dependent branch never applies to LMTP):
 *
 * <ol>
 *   <li>the remote host as connected: the host name, or the address of {@code [addr]};
 *       for {@code unix:}, this machine's host name ({@code $myhostname});</li>
 *   <li>the next hop as written, without {@code inet:}: for {@code unix:} the bare socket path.
 *       A destination is kept parsed, not as typed, so each way of writing the same next hop is
 *       tried, most specific first: {@code host:port}, {@code [host]:port}, then, on the default
 *       port 24, {@code host} and {@code [host]} (IPv6 as {@code [ipv6:addr]}).</li>
 * </ol>
 */
public final class PasswordMapKeys {

    private PasswordMapKeys() {
    }

    public static List<String> of(Destination destination, String localHostName) {
        LinkedHashSet<String> keys = new LinkedHashSet<>();
        if (destination instanceof Destination.Unix unix) {
            keys.add(localHostName);
            keys.add(unix.path().toString());
            return List.copyOf(keys);
        }
        Destination.Inet inet = (Destination.Inet) destination;
        String host = inet.host();
        keys.add(host);
        List<String> written = new ArrayList<>();
        if (inet.numeric()) {
            String literal = host.contains(":") ? "[ipv6:" + host + "]" : "[" + host + "]";
            written.add(literal + ":" + inet.port());
            if (host.contains(":")) {
                written.add("[" + host + "]:" + inet.port());
            }
            if (inet.port() == Destination.DEFAULT_PORT) {
                written.add(literal);
            }
        } else {
            written.add(host + ":" + inet.port());
            written.add("[" + host + "]:" + inet.port());
            if (inet.port() == Destination.DEFAULT_PORT) {
                written.add("[" + host + "]");
            }
        }
        keys.addAll(written);
        return List.copyOf(keys);
    }
}
