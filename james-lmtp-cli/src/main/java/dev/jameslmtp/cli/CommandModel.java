package dev.jameslmtp.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The {@code lmtp} command's options and help text, as picocli's model: what the parser,
 * {@code --help} and the manual page ({@link ManPage}) read. Built directly rather than from
 * annotations on fields: picocli reads annotations through reflection and annotation proxies, none
 * of which a class-data archive holds, and that reading was about half of picocli's share of the
 * command's start-up. {@link #parse} gives the values by option name, as {@link QuickParse} does for
 * the plain command lines it parses without picocli.
 */
final class CommandModel {

    static final String HEADER = "Deliver one message from standard input to an LMTP server and show each recipient's outcome.";

    static final String SYNOPSIS = "lmtp [-v] [-d destination | -s server [-p port]] [-f sender] [-l lhlo-name] [-C config-file]\n"
            + "            [--timeout duration] [--[no-]skip-5xx-greeting] [-a] [--user name] [--password-map file]\n"
            + "            [--tls none|may|encrypt|verify] [--tls-ca file | --tls-truststore file]\n"
            + "            [--tls-cert file --tls-key file | --tls-keystore file] [--sasl-mechanisms list]\n"
            + "            [--sasl-channel-binding none|tls-server-end-point] [--sasl-scram-max-iterations n]\n"
            + "            [--sasl-tls-security-options list] [--require-auth] [-t recipient]... [recipient]... < message";

    private static final String[] DESCRIPTION = {
        "Reads an RFC 5322 message (header and body) on standard input, sends it in one LMTP transaction",
        "(RFC 2033) and prints one line per recipient, in order, duplicates included:",
        "",
        "  address  delivered|deferred|bounced  reply-code  enhanced-status  text",
        "",
        "The reply code is '-' when the outcome was decided locally (connection refused, timeout, a",
        "protocol error, a skipped 5xx greeting); the server's reply, if any, is then quoted in the text.",
        "The report is printed as soon as the outcomes are known, before QUIT.",
        "The message bytes are sent as they are (8-bit untouched); only line endings become CRLF, and",
        "SIZE= counts the message so (CRLF line ends, without dot-stuffing)."};

    private static final String[] FOOTER = {
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
        "  lmtp -C /etc/lmtp.conf -t bob@example.com < msg.eml; echo \"exit $?\""};

    private CommandModel() {
    }

    /**
     * Parses {@code args} with picocli into {@code values} (keyed as {@link QuickParse} keys them),
     * or shows the help, the version or the usage error they call for.
     *
     * @return the exit status when the run ends here, else -1
     */
    static int parse(String[] args, LmtpCommand.Context context, Map<String, Object> values) {
        CommandLine commandLine = new CommandLine(spec());
        commandLine.setExpandAtFiles(false);
        commandLine.setOut(new PrintWriter(context.out(), true, StandardCharsets.UTF_8));
        commandLine.setErr(new PrintWriter(context.err(), true, StandardCharsets.UTF_8));
        CommandLine.ParseResult result;
        try {
            result = commandLine.parseArgs(args);
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
        values.putAll(values(result));
        return -1;
    }

    /** What picocli parsed: each option given, by its longest name, and the bare recipients. */
    static Map<String, Object> values(CommandLine.ParseResult result) {
        Map<String, Object> values = new HashMap<>();
        for (OptionSpec option : result.matchedOptions()) {
            values.put(option.longestName(), option.getValue());
        }
        if (result.hasMatchedPositional(0)) {
            values.put(QuickParse.RECIPIENTS, result.matchedPositionalValue(0, List.of()));
        }
        return values;
    }

    /** A new model (picocli keeps the parsed values in it: one per run). */
    static CommandSpec spec() {
        CommandSpec spec = CommandSpec.create().name("lmtp").versionProvider(new VersionProvider());
        spec.usageMessage().sortOptions(false).width(100)
                .headerHeading("").header(HEADER)
                .synopsisHeading("%nUsage: ").customSynopsis(SYNOPSIS)
                .descriptionHeading("%n").description(DESCRIPTION)
                .optionListHeading("%nOptions:%n").parameterListHeading("%nArguments:%n")
                .footerHeading("%n").footer(FOOTER);
        for (QuickParse.Option option : QuickParse.OPTIONS) {
            spec.addOption(switch (option.kind()) {
                case TEXT -> text(option.label(), option.description(), option.names());
                case FILE -> file(option.label(), option.description(), option.names());
                case LIST -> option(option.description(), option.names()).paramLabel(option.label()).type(List.class)
                        .auxiliaryTypes(String.class).build();
                case FLAG -> flag(option.description(), option.names());
                case POSITIVE -> onByDefault(option.description(), option.longest());
                case NEGATED -> throw new IllegalStateException("a --no- form is derived, never declared: " + option.longest());
            });
        }
        spec.addOption(option("Show this help and exit.", "-h", "--help").type(boolean.class).usageHelp(true).build());
        spec.addOption(option("Show the version and exit.", "-V", "--version").type(boolean.class).versionHelp(true).build());
        spec.addPositional(PositionalParamSpec.builder().paramLabel("recipient").arity("0..*").type(List.class)
                .auxiliaryTypes(String.class).description("More recipients, after those given with -t.").build());
        return spec;
    }

    private static OptionSpec.Builder option(String description, String... names) {
        return OptionSpec.builder(names).description(description);
    }

    /** An option that takes a value, kept as the text given. */
    private static OptionSpec text(String label, String description, String... names) {
        return option(description, names).paramLabel(label).type(String.class).build();
    }

    private static OptionSpec file(String label, String description, String... names) {
        return option(description, names).paramLabel(label).type(Path.class).build();
    }

    private static OptionSpec flag(String description, String... names) {
        return option(description, names).type(boolean.class).build();
    }

    /** A switch that is on unless {@code --no-NAME} (or {@code --NAME=false}) is given. */
    private static OptionSpec onByDefault(String description, String name) {
        return option(description, name).type(boolean.class).negatable(true).defaultValue("true").fallbackValue("true").build();
    }
}
