package dev.jameslmtp.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Cyrus IMAP {@code lmtpd} (Debian 12: cyrus-imapd 3.6, cyrus-clients, sasl2-bin), started by
 * a test with a private {@code imapd.conf} and {@code cyrus.conf} under a work directory, and
 * stopped by {@link #close()}. The only mainstream LMTP store that requires AUTH.
 *
 * <p>{@code cyrmaster} runs three services on free loopback ports:
 * <ul>
 *   <li>{@link #port()}: {@code lmtp}, AUTH required on TCP, plaintext mechanisms allowed in clear;</li>
 *   <li>{@link #strictPort()}: {@code lmtpstrict}, with {@code lmtpstrict_allowplaintext: no}, so
 *       PLAIN and LOGIN are refused until STARTTLS;</li>
 *   <li>{@link #imapPort()}: {@code imapd}, through which the harness creates the mailboxes.</li>
 * </ul>
 * The SASL user is {@value #ADMIN} (only users listed in {@code admins} may AUTH to lmtpd), in a
 * private sasldb made with {@code saslpasswd2 -f}, offered as {@code PLAIN LOGIN CRAM-MD5
 * SCRAM-SHA-256 SCRAM-SHA-1}. With {@link Options#tls} set, STARTTLS is offered with that
 * certificate (and the {@code -PLUS} mechanisms after it). Mailboxes {@code user.<name>} are
 * created at start; recipients are the bare names ({@code alice}, no domain).
 *
 * <p>Observed with Cyrus 3.6.1: wrong password {@code 501 5.5.4 undefined error!}; MAIL before AUTH
 * {@code 430 Authentication required}; success {@code 235 Authenticated!}; unknown mailbox
 * {@code 550 5.1.1 User unknown}. Cyrus logs only to syslog, which this harness does not capture.
 *
 * <p>Privileges: run as root, {@code cyrmaster} changes to the packaged {@code cyrus} user, so the
 * work directory is given to it; otherwise everything runs as the current user. Sockets that lmtpd
 * needs internally go to a short directory under /tmp, deleted by {@link #close()}.
 */
public final class CyrusLmtpServer implements AutoCloseable {

    public static final String SERVER_NAME = "cyrus.example.test";
    public static final String ADMIN = "lmtpadmin";
    static final Path MASTER = Path.of("/usr/sbin/cyrmaster");
    static final Path SASLPASSWD = Path.of("/usr/sbin/saslpasswd2");
    static final Path MBPATH = Path.of("/usr/lib/cyrus/bin/mbpath");
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    /** Startup options. */
    public record Options(String adminPassword, List<String> mailboxes, Optional<TestCertificates.Leaf> tls, Duration startupTimeout) {
        public Options {
            mailboxes = List.copyOf(mailboxes);
        }

        public static Options of(String adminPassword, String... mailboxes) {
            return new Options(adminPassword, List.of(mailboxes), Optional.empty(), Duration.ofSeconds(30));
        }

        /** STARTTLS with this certificate and key. */
        public Options withTls(TestCertificates.Leaf certificate) {
            return new Options(adminPassword, mailboxes, Optional.of(certificate), startupTimeout);
        }
    }

    private final Path workDir;
    private final Path socketDir;
    private final Path config;
    private final Process master;
    private final int port;
    private final int strictPort;
    private final int imapPort;

    private CyrusLmtpServer(Path workDir, Path socketDir, Path config, Process master, int port, int strictPort, int imapPort) {
        this.workDir = workDir;
        this.socketDir = socketDir;
        this.config = config;
        this.master = master;
        this.port = port;
        this.strictPort = strictPort;
        this.imapPort = imapPort;
    }

    /** Writes the configuration under {@code workDir} (emptied first), starts Cyrus and creates the mailboxes. */
    public static CyrusLmtpServer start(Path workDir, Options options) {
        for (Path binary : List.of(MASTER, SASLPASSWD, MBPATH)) {
            if (!Files.isExecutable(binary)) {
                throw new IllegalStateException(binary + " is missing: install the Debian packages cyrus-imapd, cyrus-clients and sasl2-bin");
            }
        }
        Path dir = workDir.toAbsolutePath();
        Path socketDir = null;
        Process master = null;
        try {
            deleteTree(dir);
            Files.createDirectories(dir.resolve("config"));
            Files.createDirectories(dir.resolve("partition"));
            socketDir = Files.createTempDirectory(Path.of("/tmp"), "cyrus-");
            int[] ports = freePorts(3);
            Path config = dir.resolve("imapd.conf");
            Files.writeString(config, imapdConf(dir, socketDir, options), StandardCharsets.US_ASCII);
            Files.writeString(dir.resolve("cyrus.conf"), cyrusConf(config, ports), StandardCharsets.US_ASCII);
            options.tls().ifPresent(leaf -> leaf.writePem(dir.resolve("server.pem"), dir.resolve("server.key")));
            run(dir, List.of(SASLPASSWD.toString(), "-p", "-c", "-f", dir.resolve("sasldb2").toString(), "-u", SERVER_NAME, ADMIN),
                    options.adminPassword());
            if (isRoot()) {
                for (Path path : List.of(dir, socketDir)) {
                    giveToCyrus(path);
                }
            }
            master = new ProcessBuilder(MASTER.toString(), "-C", config.toString(), "-M", dir.resolve("cyrus.conf").toString(),
                    "-p", dir.resolve("master.pid").toString(), "-D")
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("master.log").toFile())
                    .start();
            CyrusLmtpServer server = new CyrusLmtpServer(dir, socketDir, config, master, ports[0], ports[1], ports[2]);
            server.awaitGreeting(options.startupTimeout());
            server.createMailboxes(options.adminPassword(), options.mailboxes());
            return server;
        } catch (IOException | RuntimeException e) {
            if (master != null) {
                DovecotProcesses.stop(master, STOP_TIMEOUT);
            }
            if (socketDir != null) {
                deleteTree(socketDir);
            }
            throw new IllegalStateException("Cyrus did not start in " + dir + ": " + e.getMessage() + "; master.log: " + tail(dir.resolve("master.log")), e);
        }
    }

    /** The {@code lmtp} service: AUTH required, plaintext mechanisms allowed in clear. */
    public int port() {
        return port;
    }

    /** The {@code lmtpstrict} service: PLAIN and LOGIN only after STARTTLS. */
    public int strictPort() {
        return strictPort;
    }

    public int imapPort() {
        return imapPort;
    }

    public Path workDir() {
        return workDir;
    }

    /** The messages in {@code user.<user>}, as stored (Cyrus adds a Received header), oldest first. */
    public List<String> messages(String user) {
        Path mailbox = Path.of(run(workDir, List.of(MBPATH.toString(), "-C", config.toString(), "user." + user), null).strip());
        try (Stream<Path> files = Files.list(mailbox)) {
            List<Path> messages = files.filter(f -> f.getFileName().toString().matches("\\d+\\."))
                    .sorted(Comparator.comparingLong(f -> Long.parseLong(f.getFileName().toString().replace(".", ""))))
                    .toList();
            List<String> texts = new ArrayList<>();
            for (Path message : messages) {
                texts.add(Files.readString(message, StandardCharsets.ISO_8859_1));
            }
            return texts;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read mailbox " + mailbox, e);
        }
    }

    /** Stops cyrmaster and its services (bounded waits) and deletes the socket directory. */
    @Override
    public void close() {
        DovecotProcesses.stop(master, STOP_TIMEOUT);
        deleteTree(socketDir);
    }

    private static String imapdConf(Path dir, Path socketDir, Options options) {
        StringBuilder conf = new StringBuilder()
                .append("configdirectory: ").append(dir.resolve("config")).append('\n')
                .append("defaultpartition: default\n")
                .append("partition-default: ").append(dir.resolve("partition")).append('\n')
                .append("servername: ").append(SERVER_NAME).append('\n')
                .append("admins: ").append(ADMIN).append('\n')
                .append("sasl_pwcheck_method: auxprop\n")
                .append("sasl_auxprop_plugin: sasldb\n")
                .append("sasl_sasldb_path: ").append(dir.resolve("sasldb2")).append('\n')
                .append("sasl_mech_list: PLAIN LOGIN CRAM-MD5 SCRAM-SHA-256 SCRAM-SHA-1\n")
                .append("allowplaintext: yes\n")
                .append("lmtpstrict_allowplaintext: no\n")
                .append("lmtpsocket: ").append(socketDir.resolve("lmtp")).append('\n')
                .append("idlesocket: ").append(socketDir.resolve("idle")).append('\n')
                .append("notifysocket: ").append(socketDir.resolve("notify")).append('\n')
                .append("syslog_prefix: cyrus-test\n")
                .append("unixhierarchysep: no\n")
                .append("virtdomains: off\n");
        if (options.tls().isPresent()) {
            conf.append("tls_server_cert: ").append(dir.resolve("server.pem")).append('\n')
                    .append("tls_server_key: ").append(dir.resolve("server.key")).append('\n');
        }
        return conf.toString();
    }

    private static String cyrusConf(Path config, int[] ports) {
        return "START {\n"
                + "  recover cmd=\"ctl_cyrusdb -C " + config + " -r\"\n"
                + "}\n"
                + "SERVICES {\n"
                + "  lmtp cmd=\"lmtpd -C " + config + "\" listen=\"127.0.0.1:" + ports[0] + "\" prefork=0\n"
                + "  lmtpstrict cmd=\"lmtpd -C " + config + "\" listen=\"127.0.0.1:" + ports[1] + "\" prefork=0\n"
                + "  imap cmd=\"imapd -C " + config + "\" listen=\"127.0.0.1:" + ports[2] + "\" prefork=0\n"
                + "}\n"
                + "EVENTS {\n"
                + "}\n";
    }

    private void awaitGreeting(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            if (!master.isAlive()) {
                throw new IOException("cyrmaster exited with status " + master.exitValue());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
                socket.setSoTimeout(5000);
                String greeting = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
                if (greeting != null && greeting.startsWith("220")) {
                    return;
                }
            } catch (IOException e) {
                last = e;
            }
            try {
                TimeUnit.MILLISECONDS.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for Cyrus");
            }
        }
        throw new IOException("no LMTP greeting on port " + port + " within " + timeout + (last == null ? "" : " (" + last + ")"));
    }

    /** A raw IMAP session as the admin: LOGIN, then CREATE user.NAME for each. */
    private void createMailboxes(String adminPassword, List<String> users) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), imapPort), 5000);
            socket.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            in.readLine();
            imap(in, out, "a0 LOGIN " + ADMIN + " \"" + adminPassword.replace("\\", "\\\\").replace("\"", "\\\"") + "\"", "a0", "LOGIN");
            for (int i = 0; i < users.size(); i++) {
                imap(in, out, "a" + (i + 1) + " CREATE user." + users.get(i), "a" + (i + 1), "CREATE user." + users.get(i));
            }
            imap(in, out, "z LOGOUT", "z", "LOGOUT");
        }
    }

    private static void imap(BufferedReader in, OutputStream out, String command, String tag, String shown) throws IOException {
        out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith(tag + " ")) {
                if (!line.startsWith(tag + " OK")) {
                    throw new IOException("IMAP " + shown + " failed: " + line);
                }
                return;
            }
        }
        throw new IOException("IMAP connection closed during " + shown);
    }

    private static String run(Path dir, List<String> command, String stdin) {
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            try (OutputStream in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(command.get(0) + " did not finish");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(command.get(0) + " failed (" + process.exitValue() + "): " + output.strip());
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static int[] freePorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }

    private static boolean isRoot() throws IOException {
        return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    }

    private static void giveToCyrus(Path root) throws IOException {
        var lookup = root.getFileSystem().getUserPrincipalLookupService();
        var owner = lookup.lookupPrincipalByName("cyrus");
        var group = lookup.lookupPrincipalByGroupName("mail");
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.toList()) {
                Files.setOwner(path, owner);
                Files.getFileAttributeView(path, java.nio.file.attribute.PosixFileAttributeView.class).setGroup(group);
            }
        }
    }

    private static void deleteTree(Path root) {
        DovecotProcesses.deleteTree(root);
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
        } catch (IOException e) {
            return "(none)";
        }
    }
}
