package dev.jameslmtp.cli;

import dev.jameslmtp.client.DestinationList;
import dev.jameslmtp.client.wire.WireSafety;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The defaults read from a {@code -C} file: one {@code key = value} per line, blank lines and
 * lines starting with {@code #} ignored, UTF-8.
 *
 * <pre>
 * # /etc/lmtp.conf
 * destination = unix:/var/spool/postfix/private/dovecot-lmtp
 * lhlo        = mx1.example.com
 * sender      = postmaster@example.com     (empty or &lt;&gt;: the null sender)
 * timeout     = 30s                        (every stage; 500ms, 2m, 1h, 30, 30 seconds, PT30S)
 * transcript  = yes                        (yes/no, true/false, on/off)
 * auth        = yes                        (as -a)
 * user        = lmtpadmin                  (as --user; the password never goes in this file)
 * password-map = /etc/lmtp/sasl_passwd     (as --password-map)
 * tls         = verify                     (as --tls: none, may, encrypt, verify)
 * tls-ca      = /etc/lmtp/store-ca.pem     (as --tls-ca; also tls-cert, tls-key, tls-truststore, tls-keystore)
 * sasl-mechanisms = SCRAM-SHA-256          (as --sasl-mechanisms; also sasl-channel-binding, sasl-scram-max-iterations)
 * require-auth = yes                       (as --require-auth)
 * </pre>
 *
 * Command-line options win over these values. The file is parsed once and checked whole: an
 * unknown key, a repeated key, a line without {@code =} or a bad value is an error naming the
 * file, the line and the key (never echoing the value).
 */
record ConfigFile(Optional<DestinationList> destination, Optional<String> lhlo, Optional<String> sender,
                  Optional<Duration> timeout, Optional<Boolean> transcript, Map<String, String> security) {

    /** The keys of {@link #security}: authentication and TLS, read by {@link SessionSecurity}. */
    static final List<String> SECURITY_KEYS = List.of("auth", "user", "password-map", "tls", "tls-ca", "tls-cert", "tls-key",
            "tls-truststore", "tls-keystore", "sasl-mechanisms", "sasl-channel-binding", "sasl-scram-max-iterations", "require-auth",
            "sasl-tls-security-options");

    static final List<String> KEYS = java.util.stream.Stream.concat(
            java.util.stream.Stream.of("destination", "lhlo", "sender", "timeout", "transcript"), SECURITY_KEYS.stream()).toList();

    static final ConfigFile NONE = new ConfigFile(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), Map.of());

    ConfigFile {
        security = Map.copyOf(security);
    }

    /** A security key's value ({@code yes}/{@code no} already checked for auth and require-auth). */
    Optional<String> security(String key) {
        return Optional.ofNullable(security.get(key));
    }

    static ConfigFile read(Path file) throws CommandException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (MalformedInputException e) {
            throw CommandException.usage(file + ": not valid UTF-8 text");
        } catch (IOException e) {
            throw CommandException.usage("cannot read configuration file " + file + ": " + describe(e));
        }
        return parse(file.toString(), lines);
    }

    static ConfigFile parse(String name, List<String> lines) throws CommandException {
        ConfigFile config = NONE;
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            String where = name + ":" + (i + 1);
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw CommandException.usage(where + ": expected 'key = value' (keys: " + String.join(", ", KEYS) + ")");
            }
            String key = line.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            String value = line.substring(eq + 1).strip();
            if (!KEYS.contains(key)) {
                throw CommandException.usage(where + ": unknown key '" + Sanitise.shown(key) + "' (keys: " + String.join(", ", KEYS) + ")");
            }
            if (!seen.add(key)) {
                throw CommandException.usage(where + ": key '" + key + "' is given twice");
            }
            try {
                config = config.with(key, value);
            } catch (IllegalArgumentException e) {
                throw CommandException.usage(where + ": key '" + key + "': " + e.getMessage());
            }
        }
        return config;
    }

    private ConfigFile with(String key, String value) {
        if (SECURITY_KEYS.contains(key)) {
            if (value.isEmpty()) {
                throw new IllegalArgumentException("empty value");
            }
            Map<String, String> more = new java.util.HashMap<>(security);
            more.put(key, key.equals("auth") || key.equals("require-auth") ? Boolean.toString(bool(value)) : value);
            return new ConfigFile(destination, lhlo, sender, timeout, transcript, more);
        }
        return switch (key) {
            case "destination" -> new ConfigFile(Optional.of(destinationList(value)), lhlo, sender, timeout, transcript, security);
            case "lhlo" -> new ConfigFile(destination, Optional.of(WireSafety.requireLhloName(value)), sender, timeout, transcript, security);
            case "sender" -> new ConfigFile(destination, lhlo, Optional.of(Addresses.sender(value)), timeout, transcript, security);
            case "timeout" -> new ConfigFile(destination, lhlo, sender, Optional.of(Durations.parse(value)), transcript, security);
            case "transcript" -> new ConfigFile(destination, lhlo, sender, timeout, Optional.of(bool(value)), security);
            default -> throw new IllegalStateException("key " + key);
        };
    }

    private static DestinationList destinationList(String value) {
        try {
            return DestinationList.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(Settings.invalid(value, e), e);
        }
    }

    private static boolean bool(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "yes", "true", "on", "1" -> true;
            case "no", "false", "off", "0" -> false;
            default -> throw new IllegalArgumentException("expected yes or no");
        };
    }

    private static String describe(IOException e) {
        return e instanceof java.nio.file.NoSuchFileException ? "no such file"
                : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
