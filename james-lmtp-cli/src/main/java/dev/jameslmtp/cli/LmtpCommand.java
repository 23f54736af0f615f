package dev.jameslmtp.cli;

import dev.jameslmtp.client.LmtpClient;
import dev.jameslmtp.client.LmtpConnectException;
import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.pool.ConnectionPool;
import dev.jameslmtp.client.pool.FailedServers;
import dev.jameslmtp.client.pool.FailoverDelivery;
import dev.jameslmtp.client.pool.PoolLimits;
import dev.jameslmtp.client.pool.PooledDelivery;
import dev.jameslmtp.client.pool.ReuseCounter;
import dev.jameslmtp.client.session.LmtpConnection;
import dev.jameslmtp.client.wire.Transcript;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code lmtp}: hands one message, read from standard input, to an LMTP server (RFC 2033) and
 * prints every recipient's outcome, one line each (see {@link Report}); the exit status follows
 * {@code sysexits.h} (see {@link ExitStatus}).
 *
 * <p>{@link #main} is for the shell; {@link #run} is the same command with its streams and
 * environment passed in, returning the exit status instead of exiting, for tests and embedding.
 * The order of work is fixed: parse and validate everything (64), resolve TLS and credentials
 * (64; a password may be typed on the terminal), spool standard input (66, 74), then connect,
 * STARTTLS and AUTH as asked, and deliver.
 */
public final class LmtpCommand {

    private final String sender;
    private final List<String> to;
    private final String destination;
    private final String server;
    private final String port;
    private final String lhlo;
    private final boolean verbose;
    private final boolean debug;
    private final Path config;
    private final String timeout;
    private final boolean skip5xxGreeting;
    private final boolean useChunking;
    private final boolean auth;
    private final String user;
    private final Path passwordMap;
    private final String saslMechanisms;
    private final String saslTlsSecurityOptions;
    private final boolean requireAuth;
    private final String tls;
    private final boolean starttls;
    private final Path tlsCa;
    private final Path tlsCert;
    private final Path tlsKey;
    private final Path tlsTrustStore;
    private final Path tlsKeyStore;
    private final String saslChannelBinding;
    private final String saslScramMaxIterations;
    private final List<String> recipients;
    private final PasswordPrompt prompt;

    /** The options as parsed ({@link QuickParse}, {@link CommandModel#parse}): null (false, an empty list) when not given. */
    private LmtpCommand(Map<String, Object> options, PasswordPrompt prompt) {
        sender = value(options, "--from", null);
        to = value(options, "--to", List.of());
        destination = value(options, "--destination", null);
        server = value(options, "--server", null);
        port = value(options, "--port", null);
        lhlo = value(options, "--lhlo", null);
        verbose = value(options, "--verbose", false);
        debug = value(options, DebugSwitch.DEBUG_OPTION, false);
        config = value(options, "--config", null);
        timeout = value(options, "--timeout", null);
        skip5xxGreeting = value(options, "--skip-5xx-greeting", true);
        useChunking = value(options, "--chunking", true);
        auth = value(options, "--auth", false);
        user = value(options, "--user", null);
        passwordMap = value(options, "--password-map", null);
        saslMechanisms = value(options, "--sasl-mechanisms", null);
        saslTlsSecurityOptions = value(options, "--sasl-tls-security-options", null);
        requireAuth = value(options, "--require-auth", false);
        tls = value(options, "--tls", null);
        starttls = value(options, "--starttls", false);
        tlsCa = value(options, "--tls-ca", null);
        tlsCert = value(options, "--tls-cert", null);
        tlsKey = value(options, "--tls-key", null);
        tlsTrustStore = value(options, "--tls-truststore", null);
        tlsKeyStore = value(options, "--tls-keystore", null);
        saslChannelBinding = value(options, "--sasl-channel-binding", null);
        saslScramMaxIterations = value(options, "--sasl-scram-max-iterations", null);
        recipients = value(options, QuickParse.RECIPIENTS, List.of());
        this.prompt = prompt;
    }

    /** Standard input, output and error, and the environment of one run. */
    public record Context(InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
        public Context {
            Objects.requireNonNull(in, "in");
            Objects.requireNonNull(out, "out");
            Objects.requireNonNull(err, "err");
            env = Map.copyOf(env);
        }
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        if (System.console() != null && !asksForHelp(args)) {
            err.println("lmtp: reading the message from the terminal; end it with Ctrl-D");
        }
        int status = run(args, new Context(StandardInput.open(), out, err, System.getenv()));
        out.flush();
        err.flush();
        System.exit(status);
    }

    /** Runs the command; returns its exit status and never calls {@link System#exit}. */
    public static int run(String[] args, Context context) {
        return run(args, context, PasswordPrompt.terminal());
    }

    /** As {@link #run(String[], Context)}, asking {@code prompt} for a password when one must be typed. */
    public static int run(String[] args, Context context, PasswordPrompt prompt) {
        String[] rewritten = DebugSwitch.rewrite(args);
        Map<String, Object> options = QuickParse.parse(rewritten);
        if (options == null) {
            options = new HashMap<>();
            int status = CommandModel.parse(rewritten, context, options);
            if (status >= 0) {
                return status;
            }
        }
        try {
            return new LmtpCommand(options, prompt).deliver(context);
        } catch (CommandException e) {
            context.err().println("lmtp: " + e.getMessage());
            return e.status();
        } catch (RuntimeException e) {
            context.err().println("lmtp: internal error: " + Transcript.neutralise(e.toString()));
            return ExitStatus.SOFTWARE;
        } finally {
            context.out().flush();
            context.err().flush();
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T value(Map<String, Object> options, String name, T absent) {
        Object value = options.get(name);
        return value == null ? absent : (T) value;
    }

    private int deliver(Context context) throws CommandException {
        List<String> allRecipients = new ArrayList<>(to);
        allRecipients.addAll(recipients);
        Settings settings = Settings.resolve(new Settings.Options(destination, server, port, sender, allRecipients,
                lhlo, config, timeout, verbose || debug), context.env());
        if (starttls && tls != null && !tls.equalsIgnoreCase("encrypt")) {
            throw CommandException.usage("--starttls means --tls encrypt; it cannot go with --tls " + Sanitise.shown(tls));
        }
        SessionSecurity security = SessionSecurity.resolve(new SessionSecurity.Options(auth, user, passwordMap,
                starttls ? "encrypt" : tls, tlsCa, tlsCert, tlsKey, tlsTrustStore, tlsKeyStore, saslMechanisms, saslChannelBinding,
                saslScramMaxIterations, requireAuth, saslTlsSecurityOptions),
                settings.config(), context.env(), settings.destination(), prompt);
        security.warnings().forEach(warning -> context.err().println("lmtp: warning: " + warning));
        try (MessageSpool message = MessageSpool.of(context.in())) {
            LmtpClient.Builder client = LmtpClient.builder().timeouts(settings.timeouts()).skip5xxGreeting(skip5xxGreeting)
                    .useChunking(useChunking).tls(security.tls()).sasl(security.sasl());
            settings.lhlo().ifPresent(client::lhloName);
            if (settings.transcript()) {
                client.transcript(Transcript.to(context.err()::println));
            }
            if (settings.destination().servers().size() > 1) {
                // a list: the mailet's failover (a server that cannot take the mail passes its recipients to the next)
                FailoverDelivery failover = new FailoverDelivery(new PooledDelivery(ConnectionPool.create(), PoolLimits.disabled(),
                        ReuseCounter.NONE), new FailedServers(Duration.ZERO, System::nanoTime));
                return report(failover.deliver(client.build(), settings.destination(), settings.envelope(), message.content()), context,
                        true);
            }
            LmtpConnection connection;
            try {
                connection = client.build().connect(settings.destination().first());
            } catch (LmtpConnectException e) {
                return report(DeliveryResult.sameFor(settings.destination().toString(), settings.envelope(), e.verdict()), context);
            }
            if (settings.transcript() && (connection.session().encrypted() || connection.session().authenticated())) {
                context.err().println("lmtp: session: " + Transcript.neutralise(connection.session().toString()));
            }
            try {
                return report(connection.deliver(settings.envelope(), message.content()), context);
            } finally {
                connection.quit(); // after the report: QUIT can neither delay nor change it
            }
        }
    }

    private static int report(DeliveryResult result, Context context) {
        return report(result, context, false);
    }

    /** With {@code servers} (a destination list), each line names the server that answered. */
    private static int report(DeliveryResult result, Context context, boolean servers) {
        Report.lines(result, servers).forEach(context.out()::println);
        context.out().flush();
        return ExitStatus.of(result);
    }

    private static boolean asksForHelp(String[] args) {
        for (String arg : args) {
            if (arg.equals("-h") || arg.equals("--help") || arg.equals("-V") || arg.equals("--version")) {
                return true;
            }
        }
        return false;
    }
}
