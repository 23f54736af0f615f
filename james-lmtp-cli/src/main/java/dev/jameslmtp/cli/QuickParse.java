package dev.jameslmtp.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The plain command lines, parsed without picocli: picocli's classes are Java 5 class files that
 * the JVM loads and verifies from the jar, about a third of a plain run's start-up under {@code
 * java -jar}. Plain means: options written whole and apart from their values ({@code -f a@b.test},
 * {@code --to b@c.test}, {@code -v}, {@code --no-chunking}), a value that neither is empty nor
 * starts with {@code -}, each option but {@code -t} at most once, and bare recipients that do not
 * start with {@code -}. Anything else ({@code --from=x}, {@code -va}, {@code --}, an unknown or
 * repeated option, a missing value, {@code --help}, {@code --version}, a {@code picocli.*} system
 * property) is left to picocli ({@link CommandModel#parse}), and so are all help and errors.
 *
 * <p>The values are what picocli gives for the same arguments, keyed by each option's longest
 * name, the bare recipients under {@link #RECIPIENTS}; QuickParseTest compares the two on many
 * command lines. The options are declared once, here ({@link #OPTIONS}).
 */
final class QuickParse {

    /** The key of the bare recipients (a list). */
    static final String RECIPIENTS = "recipients";

    enum Kind { TEXT, FILE, LIST, FLAG, POSITIVE, NEGATED }

    /**
     * One option of the command: what it takes or sets, the label of its value (none for a switch),
     * its help text and its names, the last the longest. The one declaration of the options: this
     * parser reads it, and {@link CommandModel} builds picocli's model, the help and the manual
     * page from it.
     */
    record Option(Kind kind, String label, String description, String... names) {

        String longest() {
            return names[names.length - 1];
        }
    }

    /** The command's options, in the order of its help ({@code --help} and {@code --version} apart). */
    static final List<Option> OPTIONS = List.of(
        new Option(Kind.TEXT, "sender", "Envelope sender (MAIL FROM). '' or '<>' is the null sender. Default: $USER@<this host>.",
                "-f", "--from"),
        new Option(Kind.LIST, "recipient", "Envelope recipient (RCPT TO); repeat for more. Bare arguments are recipients too.",
                "-t", "--to"),
        new Option(Kind.TEXT, "destination", "Where the LMTP server listens: unix:/path, inet:host[:port], host:port (see below).",
                "-d", "--destination"),
        new Option(Kind.TEXT, "server", "Server host name or address (inet:server:port); default localhost.", "-s", "--server"),
        new Option(Kind.TEXT, "port", "Server TCP port; default 24.", "-p", "--port"),
        new Option(Kind.TEXT, "lhlo-name", "LHLO argument; default: this host's name.", "-l", "--lhlo"),
        new Option(Kind.FLAG, null, "Write the conversation to stderr as C:/S: lines.", "-v", "--verbose"),
        new Option(Kind.FLAG, null, "Same as -v; also what a -d without a destination means.", DebugSwitch.DEBUG_OPTION),
        new Option(Kind.FILE, "config-file", "Read defaults from this file (see below).", "-C", "--config"),
        new Option(Kind.TEXT, "duration", "Timeout for every stage: 30s, 500ms, 2m. It is a deadline for each whole reply (a server "
                + "that sends a reply slowly, byte by byte, is cut off when it expires, as Postfix with "
                + "lmtp_per_record_deadline = yes), and a bound on each write of the message. "
                + "Default: Postfix's per-stage LMTP timeouts (30s to connect ... 600s after the final dot), "
                + "but 10s for the reply to QUIT, which comes after the report.", "--timeout"),
        new Option(Kind.POSITIVE, null, "A 5xx greeting or LHLO reply defers every recipient (exit 75), as Postfix's "
                + "lmtp_skip_5xx_greeting = yes (default). --no-skip-5xx-greeting: it bounces them (exit 69).", "--skip-5xx-greeting"),
        new Option(Kind.POSITIVE, null, "BDAT chunks to a server that offers CHUNKING (default), as the mailet's useChunking. "
                + "--no-chunking: always DATA, as Postfix's lmtp(8).", "--chunking"),
        new Option(Kind.FLAG, null, "Authenticate (SASL AUTH); see Authentication below.", "-a", "--auth"),
        new Option(Kind.TEXT, "name", "SASL user; the password comes from $LMTP_PASSWORD or the terminal. Implies -a.", "--user"),
        new Option(Kind.FILE, "file", "Postfix sasl_passwd-style map; its entry for the destination is used. Implies -a.",
                "--password-map"),
        new Option(Kind.TEXT, "list", "Mechanisms that may be used, e.g. SCRAM-SHA-256,CRAM-MD5; default all.", "--sasl-mechanisms"),
        new Option(Kind.TEXT, "list", "After TLS whose certificate is not verified (--tls may, encrypt): noplaintext, noanonymous "
                + "(default: no PLAIN, no LOGIN); noanonymous allows PLAIN and LOGIN there, with a warning.",
                "--sasl-tls-security-options"),
        new Option(Kind.FLAG, null, "Defer (4.7.0) rather than send without AUTH. Implies -a.", "--require-auth"),
        new Option(Kind.TEXT, "level", "none (default), may, encrypt or verify; see TLS below.", "--tls"),
        new Option(Kind.FLAG, null, "Same as --tls encrypt.", "--starttls"),
        new Option(Kind.FILE, "file", "PEM CA certificates that --tls verify trusts.", "--tls-ca"),
        new Option(Kind.FILE, "file", "PEM client certificate (chain), with --tls-key.", "--tls-cert"),
        new Option(Kind.FILE, "file", "PEM unencrypted PKCS#8 key of --tls-cert.", "--tls-key"),
        new Option(Kind.FILE, "file", "PKCS#12 or JKS trust store for --tls verify (password: $LMTP_TRUSTSTORE_PASSWORD).",
                "--tls-truststore"),
        new Option(Kind.FILE, "file", "PKCS#12 or JKS store of the client key and certificate (password: $LMTP_KEYSTORE_PASSWORD).",
                "--tls-keystore"),
        new Option(Kind.TEXT, "type", "none (default) or tls-server-end-point: SCRAM channel binding on TLS.", "--sasl-channel-binding"),
        new Option(Kind.TEXT, "n", "Highest SCRAM iteration count accepted from the server (default 65536, at least 4096).",
                "--sasl-scram-max-iterations"));

    /** Every name to its option's longest name. */
    private static final Map<String, String> OPTION = new HashMap<>();
    /** Every name to what it takes or sets. */
    private static final Map<String, Kind> KIND = new HashMap<>();

    static {
        for (Option option : OPTIONS) {
            add(option.kind(), option.names());
        }
    }

    private QuickParse() {
    }

    /** The last name is the longest; a negatable option gets its {@code --no-} form too. */
    private static void add(Kind kind, String... names) {
        String longest = names[names.length - 1];
        for (String name : names) {
            OPTION.put(name, longest);
            KIND.put(name, kind);
        }
        if (kind == Kind.POSITIVE) {
            String negated = "--no-" + longest.substring(2);
            OPTION.put(negated, longest);
            KIND.put(negated, Kind.NEGATED);
        }
    }

    /** The names this parser knows, with what each takes or sets (for QuickParseTest). */
    static Map<String, Kind> kinds() {
        return Map.copyOf(KIND);
    }

    /** The values of a plain command line; null when picocli must parse it. */
    static Map<String, Object> parse(String... args) {
        for (String property : System.getProperties().stringPropertyNames()) {
            if (property.startsWith("picocli.")) {
                return null; // picocli's tracing or parser settings
            }
        }
        Map<String, Object> values = new HashMap<>();
        List<String> to = new ArrayList<>();
        List<String> recipients = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("-")) {
                if (arg.isEmpty()) {
                    return null;
                }
                recipients.add(arg);
                continue;
            }
            String option = OPTION.get(arg);
            Kind kind = KIND.get(arg);
            if (option == null || (kind != Kind.LIST && values.containsKey(option))) {
                return null;
            }
            if (kind == Kind.FLAG || kind == Kind.POSITIVE || kind == Kind.NEGATED) {
                values.put(option, kind != Kind.NEGATED);
                continue;
            }
            if (i + 1 == args.length || args[i + 1].isEmpty() || args[i + 1].startsWith("-")) {
                return null;
            }
            String value = args[++i];
            if (kind == Kind.LIST) {
                to.add(value);
                values.put(option, to);
            } else if (kind == Kind.FILE) {
                try {
                    values.put(option, Path.of(value));
                } catch (InvalidPathException e) {
                    return null;
                }
            } else {
                values.put(option, value);
            }
        }
        if (!recipients.isEmpty()) {
            values.put(RECIPIENTS, recipients);
        }
        return values;
    }
}
