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
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

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

    /** The options as parsed ({@link CommandModel}): null (false, an empty list) when not given. */
    private LmtpCommand(ParseResult options, PasswordPrompt prompt) {
        sender = options.matchedOptionValue("--from", null);
        to = options.matchedOptionValue("--to", List.of());
        destination = options.matchedOptionValue("--destination", null);
        server = options.matchedOptionValue("--server", null);
        port = options.matchedOptionValue("--port", null);
        lhlo = options.matchedOptionValue("--lhlo", null);
        verbose = options.matchedOptionValue("--verbose", false);
        debug = options.matchedOptionValue(DebugSwitch.DEBUG_OPTION, false);
        config = options.matchedOptionValue("--config", null);
        timeout = options.matchedOptionValue("--timeout", null);
        skip5xxGreeting = options.matchedOptionValue("--skip-5xx-greeting", true);
        useChunking = options.matchedOptionValue("--chunking", true);
        auth = options.matchedOptionValue("--auth", false);
        user = options.matchedOptionValue("--user", null);
        passwordMap = options.matchedOptionValue("--password-map", null);
        saslMechanisms = options.matchedOptionValue("--sasl-mechanisms", null);
        saslTlsSecurityOptions = options.matchedOptionValue("--sasl-tls-security-options", null);
        requireAuth = options.matchedOptionValue("--require-auth", false);
        tls = options.matchedOptionValue("--tls", null);
        starttls = options.matchedOptionValue("--starttls", false);
        tlsCa = options.matchedOptionValue("--tls-ca", null);
        tlsCert = options.matchedOptionValue("--tls-cert", null);
        tlsKey = options.matchedOptionValue("--tls-key", null);
        tlsTrustStore = options.matchedOptionValue("--tls-truststore", null);
        tlsKeyStore = options.matchedOptionValue("--tls-keystore", null);
        saslChannelBinding = options.matchedOptionValue("--sasl-channel-binding", null);
        saslScramMaxIterations = options.matchedOptionValue("--sasl-scram-max-iterations", null);
        recipients = options.matchedPositionalValue(0, List.of());
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
        CommandLine commandLine = new CommandLine(CommandModel.spec());
        commandLine.setExpandAtFiles(false);
        commandLine.setOut(new PrintWriter(context.out(), true, StandardCharsets.UTF_8));
        commandLine.setErr(new PrintWriter(context.err(), true, StandardCharsets.UTF_8));
        ParseResult options;
        try {
            options = commandLine.parseArgs(DebugSwitch.rewrite(args));
        } catch (CommandLine.ParameterException e) {
            context.err().println("lmtp: " + e.getMessage());
            context.err().println("Try 'lmtp --help' for more information.");
            return ExitStatus.USAGE;
        }
        if (commandLine.isUsageHelpRequested()) {
            commandLine.usage(commandLine.getOut());
            commandLine.getOut().flush();
            return ExitStatus.OK;
        }
        if (commandLine.isVersionHelpRequested()) {
            commandLine.printVersionHelp(commandLine.getOut());
            commandLine.getOut().flush();
            return ExitStatus.OK;
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
