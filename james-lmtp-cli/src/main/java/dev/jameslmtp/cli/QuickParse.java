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
 * command lines, and this table with {@link CommandModel}'s options.
 */
final class QuickParse {

    /** The key of the bare recipients (a list). */
    static final String RECIPIENTS = "recipients";

    enum Kind { TEXT, FILE, LIST, FLAG, POSITIVE, NEGATED }

    /** Every name to its option's longest name. */
    private static final Map<String, String> OPTION = new HashMap<>();
    /** Every name to what it takes or sets. */
    private static final Map<String, Kind> KIND = new HashMap<>();

    static {
        add(Kind.TEXT, "-f", "--from");
        add(Kind.LIST, "-t", "--to");
        add(Kind.TEXT, "-d", "--destination");
        add(Kind.TEXT, "-s", "--server");
        add(Kind.TEXT, "-p", "--port");
        add(Kind.TEXT, "-l", "--lhlo");
        add(Kind.FLAG, "-v", "--verbose");
        add(Kind.FLAG, DebugSwitch.DEBUG_OPTION);
        add(Kind.FILE, "-C", "--config");
        add(Kind.TEXT, "--timeout");
        add(Kind.POSITIVE, "--skip-5xx-greeting");
        add(Kind.POSITIVE, "--chunking");
        add(Kind.FLAG, "-a", "--auth");
        add(Kind.TEXT, "--user");
        add(Kind.FILE, "--password-map");
        add(Kind.TEXT, "--sasl-mechanisms");
        add(Kind.TEXT, "--sasl-tls-security-options");
        add(Kind.FLAG, "--require-auth");
        add(Kind.TEXT, "--tls");
        add(Kind.FLAG, "--starttls");
        add(Kind.FILE, "--tls-ca");
        add(Kind.FILE, "--tls-cert");
        add(Kind.FILE, "--tls-key");
        add(Kind.FILE, "--tls-truststore");
        add(Kind.FILE, "--tls-keystore");
        add(Kind.TEXT, "--sasl-channel-binding");
        add(Kind.TEXT, "--sasl-scram-max-iterations");
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
