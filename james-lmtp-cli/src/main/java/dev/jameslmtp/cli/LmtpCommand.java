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
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

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
@Command(name = "lmtp",
        sortOptions = false,
        usageHelpWidth = 100,
        versionProvider = VersionProvider.class,
        headerHeading = "",
        header = "Deliver one message from standard input to an LMTP server and show each recipient's outcome.",
        synopsisHeading = "%nUsage: ",
        customSynopsis = "lmtp [-v] [-d destination | -s server [-p port]] [-f sender] [-l lhlo-name] [-C config-file]\n"
                + "            [--timeout duration] [--[no-]skip-5xx-greeting] [-a] [--user name] [--password-map file]\n"
                + "            [--tls none|may|encrypt|verify] [--tls-ca file | --tls-truststore file]\n"
                + "            [--tls-cert file --tls-key file | --tls-keystore file] [--sasl-mechanisms list]\n"
                + "            [--sasl-channel-binding none|tls-server-end-point] [--sasl-scram-max-iterations n]\n"
                + "            [--sasl-tls-security-options list] [--require-auth] [-t recipient]... [recipient]... < message",
        descriptionHeading = "%n",
        description = {
            "Reads an RFC 5322 message (header and body) on standard input, sends it in one LMTP transaction",
            "(RFC 2033) and prints one line per recipient, in order, duplicates included:",
            "",
            "  address  delivered|deferred|bounced  reply-code  enhanced-status  text",
            "",
            "The reply code is '-' when the outcome was decided locally (connection refused, timeout, a",
            "protocol error, a skipped 5xx greeting); the server's reply, if any, is then quoted in the text.",
            "The report is printed as soon as the outcomes are known, before QUIT.",
            "The message bytes are sent as they are (8-bit untouched); only line endings become CRLF, and",
            "SIZE= counts the message so (CRLF line ends, without dot-stuffing)."},
        optionListHeading = "%nOptions:%n",
        parameterListHeading = "%nArguments:%n",
        footerHeading = "%n",
        footer = {
            "Destination (the first one given wins):",
            "  -d destination, then -s/-p, then 'destination' in the -C file, then $LMTP_DESTINATION,",
            "  then inet:localhost:24. Destinations are written as in Postfix:",
            "    unix:/path                UNIX-domain socket",
            "    inet:host  inet:host:port TCP (port 24 unless given; 'lmtp' = 24); port 25 is refused",
            "    inet:[1.2.3.4]:port       numeric IPv4; IPv6 as inet:[ipv6:2001:db8::1]:port",
            "    host:port                 same as inet:host:port",
            "  or a list of them separated by commas, tried in order, as the mailet takes it:",
            "    -d 'inet:store-a:24, inet:store-b:24'. A server that cannot be reached, greets",
            "    negatively or closes before the content passes its recipients to the next; the report",
            "    then names, before the text, the server that answered each recipient.",
            "",
            "-d alone: '-d destination' names the server, as in Postfix. A -d followed by another option",
            "  or by nothing, as in 'lmtp -d -f user@example.com -t ...', switches the transcript on",
            "  (same as -v). Before a bare recipient write -v: 'lmtp -d bob@example.com' reads",
            "  bob@example.com as a destination, which is an error.",
            "",
            "Configuration file (-C): lines 'key = value', '#' starts a comment line. Keys:",
            "  destination, lhlo, sender (empty or <> = null sender), timeout (30s, 500ms, 2m),",
            "  transcript (yes/no), auth (yes/no), user, password-map, tls, tls-ca, tls-cert, tls-key,",
            "  tls-truststore, tls-keystore, sasl-mechanisms, sasl-channel-binding, sasl-scram-max-iterations,",
            "  require-auth (yes/no), sasl-tls-security-options.",
            "  Options on the command line win over the file.",
            "",
            "Authentication (-a, --user, --password-map, --require-auth): SASL AUTH with the strongest of",
            "  SCRAM-SHA-256, SCRAM-SHA-1, CRAM-MD5, PLAIN, LOGIN that the server offers. PLAIN and LOGIN",
            "  send the password itself: only after --tls verify (a certificate checked), since at may and",
            "  encrypt anyone on the path can answer STARTTLS; --sasl-tls-security-options noanonymous allows",
            "  them there too, with a warning on stderr (Postfix's lmtp_sasl_tls_security_options; default",
            "  noplaintext, noanonymous). Credentials: --user NAME with the password from $LMTP_PASSWORD or",
            "  typed on the terminal (/dev/tty, no echo); else the entry for the destination in --password-map",
            "  (Postfix sasl_passwd format: 'key user:password', key = host, [addr]:port, socket path...);",
            "  else $USER with $LMTP_PASSWORD or the terminal. Never a password on the command line.",
            "  An AUTH refusal defers (exit 75). With --require-auth, a server that offers no AUTH or no",
            "  acceptable mechanism defers too (4.7.0): nothing is sent unauthenticated.",
            "  SCRAM accepts the server's iteration count from 4096 (RFC 7677) to --sasl-scram-max-iterations",
            "  (default 65536, Cyrus SASL's limit); out of range it defers (4.7.0) before computing anything.",
            "",
            "TLS (--tls): none (default); may (STARTTLS when offered, else in clear); encrypt (STARTTLS",
            "  required, certificate not checked); verify (STARTTLS required, certificate checked against",
            "  --tls-ca, else the JDK's CAs, and the host name). At encrypt and verify, no STARTTLS, a refusal",
            "  or a failed handshake defers (exit 75) before any mail is sent. --starttls = --tls encrypt.",
            "  The whole handshake must end within the timeout (--timeout), however the server paces it.",
            "  Trust and client key from PKCS#12 or JKS stores: --tls-truststore (password, if any, in",
            "  $LMTP_TRUSTSTORE_PASSWORD) and --tls-keystore (password in $LMTP_KEYSTORE_PASSWORD, required;",
            "  also the key's), instead of --tls-ca and --tls-cert/--tls-key. Never a password in argv.",
            "  --sasl-channel-binding tls-server-end-point binds SCRAM to the server certificate on TLS",
            "  (SCRAM-SHA-256-PLUS when offered); Cyrus 3.6 accepts only tls-unique and refuses it.",
            "  -v shows the TLS protocol and cipher and the SASL mechanism of the session.",
            "",
            "Exit status (sysexits.h):",
            "  0   every recipient was delivered",
            "  75  EX_TEMPFAIL     some recipient failed temporarily (4xx reply, timeout, lost connection),",
            "                      and also when the server cannot be reached: connection refused, timed out",
            "                      or host not found count as temporary (4.4.1), as Postfix defers them.",
            "                      A 5xx greeting or LHLO reply defers too (4.x.x), as Postfix's",
            "                      lmtp_skip_5xx_greeting = yes; --no-skip-5xx-greeting bounces instead",
            "  67  EX_NOUSER       no temporary failure, and every failure was an unknown user (5.1.x)",
            "  69  EX_UNAVAILABLE  no temporary failure, other permanent failures (e.g. 552 5.2.2 over",
            "                      quota; with --no-skip-5xx-greeting, a server that refuses the session",
            "                      with a 5xx greeting)",
            "  64  EX_USAGE        bad option, no recipient, malformed destination or address, bad -C file",
            "  66  EX_NOINPUT      standard input cannot be read, or is empty",
            "  74  EX_IOERR        the message cannot be spooled to a temporary file",
            "",
            "Note that -t is a recipient here, not the TLS key file of Cyrus's lmtptest (--tls-key here).",
            "",
            "Examples:",
            "  echo \"Subject: Test Email\" | lmtp -f user@example.com -t recipient@example.com",
            "  uuencode attachment.txt attachment.txt | lmtp -f user@example.com -t recipient@example.com",
            "  echo \"Subject: Test Email\" | lmtp -s mail.example.com -f user@example.com -t recipient@example.com",
            "  echo \"Subject: Test Email\" | lmtp -d -f user@example.com -t recipient@example.com",
            "  echo \"Subject: Test Email\" | lmtp -a -f user@example.com -t recipient@example.com",
            "  LMTP_PASSWORD=... lmtp -a --user lmtpadmin --tls verify --tls-ca ca.pem -d inet:store:24 bob < msg.eml",
            "  lmtp -d unix:/run/dovecot/lmtp -f '<>' alice@example.com bob@example.com < msg.eml",
            "  LMTP_DESTINATION=inet:127.0.0.1:2424 lmtp -v --timeout 30s -t bob@example.com < msg.eml",
            "  lmtp -C /etc/lmtp.conf -t bob@example.com < msg.eml; echo \"exit $?\""})
public final class LmtpCommand {

    @Option(names = {"-f", "--from"}, paramLabel = "sender",
            description = "Envelope sender (MAIL FROM). '' or '<>' is the null sender. Default: $USER@<this host>.")
    private String sender;

    @Option(names = {"-t", "--to"}, paramLabel = "recipient",
            description = "Envelope recipient (RCPT TO); repeat for more. Bare arguments are recipients too.")
    private List<String> to = new ArrayList<>();

    @Option(names = {"-d", "--destination"}, paramLabel = "destination",
            description = "Where the LMTP server listens: unix:/path, inet:host[:port], host:port (see below).")
    private String destination;

    @Option(names = {"-s", "--server"}, paramLabel = "server",
            description = "Server host name or address (inet:server:port); default localhost.")
    private String server;

    @Option(names = {"-p", "--port"}, paramLabel = "port", description = "Server TCP port; default 24.")
    private String port;

    @Option(names = {"-l", "--lhlo"}, paramLabel = "lhlo-name", description = "LHLO argument; default: this host's name.")
    private String lhlo;

    @Option(names = {"-v", "--verbose"}, description = "Write the conversation to stderr as C:/S: lines.")
    private boolean verbose;

    @Option(names = DebugSwitch.DEBUG_OPTION, description = "Same as -v; also what a -d without a destination means.")
    private boolean debug;

    @Option(names = {"-C", "--config"}, paramLabel = "config-file", description = "Read defaults from this file (see below).")
    private Path config;

    @Option(names = "--timeout", paramLabel = "duration",
            description = "Timeout for every stage: 30s, 500ms, 2m. It is a deadline for each whole reply (a server "
                    + "that sends a reply slowly, byte by byte, is cut off when it expires, as Postfix with "
                    + "lmtp_per_record_deadline = yes), and a bound on each write of the message. "
                    + "Default: Postfix's per-stage LMTP timeouts (30s to connect ... 600s after the final dot), "
                    + "but 10s for the reply to QUIT, which comes after the report.")
    private String timeout;

    @Option(names = "--skip-5xx-greeting", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "A 5xx greeting or LHLO reply defers every recipient (exit 75), as Postfix's "
                    + "lmtp_skip_5xx_greeting = yes (default). --no-skip-5xx-greeting: it bounces them (exit 69).")
    private boolean skip5xxGreeting = true;

    @Option(names = "--chunking", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "BDAT chunks to a server that offers CHUNKING (default), as the mailet's useChunking. "
                    + "--no-chunking: always DATA, as Postfix's lmtp(8).")
    private boolean useChunking = true;

    @Option(names = {"-a", "--auth"}, description = "Authenticate (SASL AUTH); see Authentication below.")
    private boolean auth;

    @Option(names = "--user", paramLabel = "name",
            description = "SASL user; the password comes from $LMTP_PASSWORD or the terminal. Implies -a.")
    private String user;

    @Option(names = "--password-map", paramLabel = "file",
            description = "Postfix sasl_passwd-style map; its entry for the destination is used. Implies -a.")
    private Path passwordMap;

    @Option(names = "--sasl-mechanisms", paramLabel = "list",
            description = "Mechanisms that may be used, e.g. SCRAM-SHA-256,CRAM-MD5; default all.")
    private String saslMechanisms;

    @Option(names = "--sasl-tls-security-options", paramLabel = "list",
            description = "After TLS whose certificate is not verified (--tls may, encrypt): noplaintext, noanonymous "
                    + "(default: no PLAIN, no LOGIN); noanonymous allows PLAIN and LOGIN there, with a warning.")
    private String saslTlsSecurityOptions;

    @Option(names = "--require-auth", description = "Defer (4.7.0) rather than send without AUTH. Implies -a.")
    private boolean requireAuth;

    @Option(names = "--tls", paramLabel = "level", description = "none (default), may, encrypt or verify; see TLS below.")
    private String tls;

    @Option(names = "--starttls", description = "Same as --tls encrypt.")
    private boolean starttls;

    @Option(names = "--tls-ca", paramLabel = "file", description = "PEM CA certificates that --tls verify trusts.")
    private Path tlsCa;

    @Option(names = "--tls-cert", paramLabel = "file", description = "PEM client certificate (chain), with --tls-key.")
    private Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "file", description = "PEM unencrypted PKCS#8 key of --tls-cert.")
    private Path tlsKey;

    @Option(names = "--tls-truststore", paramLabel = "file",
            description = "PKCS#12 or JKS trust store for --tls verify (password: $LMTP_TRUSTSTORE_PASSWORD).")
    private Path tlsTrustStore;

    @Option(names = "--tls-keystore", paramLabel = "file",
            description = "PKCS#12 or JKS store of the client key and certificate (password: $LMTP_KEYSTORE_PASSWORD).")
    private Path tlsKeyStore;

    @Option(names = "--sasl-channel-binding", paramLabel = "type",
            description = "none (default) or tls-server-end-point: SCRAM channel binding on TLS.")
    private String saslChannelBinding;

    @Option(names = "--sasl-scram-max-iterations", paramLabel = "n",
            description = "Highest SCRAM iteration count accepted from the server (default 65536, at least 4096).")
    private String saslScramMaxIterations;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    @Option(names = {"-V", "--version"}, versionHelp = true, description = "Show the version and exit.")
    private boolean version;

    @Parameters(paramLabel = "recipient", arity = "0..*", description = "More recipients, after those given with -t.")
    private List<String> recipients = new ArrayList<>();

    private PasswordPrompt prompt = PasswordPrompt.NONE;

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
        LmtpCommand command = new LmtpCommand();
        command.prompt = prompt;
        CommandLine commandLine = new CommandLine(command);
        commandLine.setExpandAtFiles(false);
        commandLine.setOut(new PrintWriter(context.out(), true, StandardCharsets.UTF_8));
        commandLine.setErr(new PrintWriter(context.err(), true, StandardCharsets.UTF_8));
        try {
            commandLine.parseArgs(DebugSwitch.rewrite(args));
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
            return command.deliver(context);
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
