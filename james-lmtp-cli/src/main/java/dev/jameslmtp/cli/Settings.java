package dev.jameslmtp.cli;

import dev.jameslmtp.client.DestinationList;
import dev.jameslmtp.client.Envelope;
import dev.jameslmtp.client.LmtpClient;
import dev.jameslmtp.client.Recipient;
import dev.jameslmtp.client.session.Stage;
import dev.jameslmtp.client.session.Timeouts;
import dev.jameslmtp.client.wire.WireSafety;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Everything one run needs, resolved once from the command line, the {@code -C} file, the
 * environment and the built-in defaults, in that order of precedence, and validated before any
 * input is read or any socket opened.
 *
 * <p>The destination is the first of: {@code -d}; {@code -s}/{@code -p} (host default
 * {@code localhost}, port default 24); {@code destination} in the {@code -C} file;
 * {@code $LMTP_DESTINATION}; {@value #DEFAULT_DESTINATION}. The sender is {@code -f}, else
 * {@code sender} in the file, else {@code $USER@<local host name>} as sendmail does.
 *
 * <p>DIAGNOSTICS: every problem is a {@link CommandException} with status
 * {@link ExitStatus#USAGE} whose message names the option, variable or file line at fault.
 */
record Settings(DestinationList destination, Envelope envelope, Optional<String> lhlo, Timeouts timeouts, boolean transcript,
                ConfigFile config) {

    static final String DEFAULT_DESTINATION = "inet:localhost:24";
    /** How long the command waits for the reply to QUIT, after its report, unless --timeout says otherwise. */
    static final Duration QUIT_TIMEOUT = Duration.ofSeconds(10);
    static final String DESTINATION_VARIABLE = "LMTP_DESTINATION";

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    /** The options as picocli left them: null when not given. */
    record Options(String destination, String server, String port, String sender, List<String> recipients,
                   String lhlo, Path config, String timeout, boolean transcript) {
    }

    static Settings resolve(Options options, Map<String, String> env) throws CommandException {
        ConfigFile config = options.config() == null ? ConfigFile.NONE : ConfigFile.read(options.config());
        List<Recipient> recipients = recipients(options.recipients(), options.destination());
        String sender;
        try {
            sender = options.sender() != null ? Addresses.sender(options.sender())
                    : config.sender().orElseGet(() -> Addresses.sender(defaultSender(env)));
        } catch (IllegalArgumentException e) {
            throw CommandException.usage((options.sender() != null ? "-f: " : "default sender: ") + e.getMessage()
                    + (options.sender() != null ? "" : " (give one with -f)"));
        }
        Optional<String> lhlo = config.lhlo();
        if (options.lhlo() != null) {
            try {
                lhlo = Optional.of(dev.jameslmtp.client.wire.WireSafety.requireLhloName(options.lhlo()));
            } catch (IllegalArgumentException e) {
                throw CommandException.usage("-l: " + e.getMessage());
            }
        }
        // Postfix's per-stage timeouts, but QUIT's: the report is out by then, and the command
        // should not sit for Postfix's 300 s on a server that never answers QUIT.
        Timeouts timeouts = Timeouts.defaults().with(Stage.QUIT, QUIT_TIMEOUT);
        Optional<Duration> timeout = config.timeout();
        if (options.timeout() != null) {
            try {
                timeout = Optional.of(Durations.parse(options.timeout()));
            } catch (IllegalArgumentException e) {
                throw CommandException.usage("--timeout: " + e.getMessage());
            }
        }
        if (timeout.isPresent()) {
            timeouts = timeouts.withAll(timeout.get());
        }
        boolean transcript = options.transcript() || config.transcript().orElse(false);
        Envelope envelope = Envelope.of(sender, recipients);
        return new Settings(destination(options, config, env), envelope, lhlo, timeouts, transcript, config);
    }

    private static List<Recipient> recipients(List<String> given, String destination) throws CommandException {
        if (given.isEmpty()) {
            String hint = destination != null && destination.contains("@")
                    ? " (-d took '" + Sanitise.shown(destination) + "' as the destination; for a transcript write -v)" : "";
            throw CommandException.usage("no recipient: give at least one with -t or as an argument" + hint);
        }
        List<Recipient> recipients = new ArrayList<>(given.size());
        for (int i = 0; i < given.size(); i++) {
            try {
                recipients.add(Addresses.recipient(given.get(i)));
            } catch (IllegalArgumentException e) {
                throw CommandException.usage("recipient " + (i + 1) + ": " + e.getMessage());
            }
        }
        return recipients;
    }

    private static DestinationList destination(Options options, ConfigFile config, Map<String, String> env) throws CommandException {
        if (options.destination() != null) {
            if (options.server() != null || options.port() != null) {
                throw CommandException.usage("-d and -s/-p both name the server; give one or the other");
            }
            return parse("-d", options.destination());
        }
        if (options.server() != null || options.port() != null) {
            String where = options.server() != null ? "-s" : "-p";
            return parse(where, serverDestination(options.server(), options.port()));
        }
        if (config.destination().isPresent()) {
            return config.destination().get();
        }
        String fromEnv = env.get(DESTINATION_VARIABLE);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return parse("$" + DESTINATION_VARIABLE, fromEnv);
        }
        return DestinationList.parse(DEFAULT_DESTINATION);
    }

    /** {@code -s host -p port} as a destination: IPv4 and IPv6 literals get their brackets. */
    static String serverDestination(String server, String port) throws CommandException {
        String host = server == null ? "localhost" : server.strip();
        if (host.regionMatches(true, 0, "unix:", 0, 5) || host.regionMatches(true, 0, "inet:", 0, 5)) {
            throw CommandException.usage("-s takes a host name or address; give a destination such as '"
                    + Sanitise.shown(host) + "' with -d");
        }
        if (host.contains(":") && !host.startsWith("[")) {
            host = "[ipv6:" + host + "]";
        } else if (IPV4.matcher(host).matches()) {
            host = "[" + host + "]";
        }
        return "inet:" + host + (port == null ? "" : ":" + port.strip());
    }

    private static DestinationList parse(String where, String text) throws CommandException {
        try {
            return DestinationList.parse(text);
        } catch (IllegalArgumentException e) {
            String hint = where.equals("-d") && text.contains("@") && !text.regionMatches(true, 0, "unix:", 0, 5)
                    ? " (to switch the transcript on before a bare recipient, write -v instead of -d)" : "";
            throw CommandException.usage(where + ": " + invalid(text, e) + hint);
        }
    }

    /**
     * What is wrong with a destination (list) {@code text}: the reason (which names a single
     * destination itself), the whole value when it is a list, and the accepted forms.
     */
    static String invalid(String text, IllegalArgumentException e) {
        String reason = e.getMessage().contains(text.strip()) ? e.getMessage()
                : "'" + Sanitise.shown(text.strip()) + "': " + e.getMessage();
        return reason + "; expected unix:/path, inet:host[:port] or inet:[addr][:port], or several of them separated by"
                + " commas, tried in order";
    }

    /** {@code $USER@host} (or {@code $LOGNAME}, or the JVM's user name), as sendmail's default sender. */
    static String defaultSender(Map<String, String> env) {
        String user = env.get("USER");
        if (user == null || user.isBlank()) {
            user = env.get("LOGNAME");
        }
        if (user == null || user.isBlank()) {
            user = System.getProperty("user.name", "nobody");
        }
        return user + "@" + LmtpClient.localHostName();
    }
}
