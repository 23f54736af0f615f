package dev.jameslmtp.testing;

import java.io.BufferedReader;
import java.io.File;
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
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real Dovecot LMTP server (Debian 12: dovecot-core and dovecot-lmtpd 2.3.19), started by a test
 * with a private configuration under a work directory, and stopped by {@link #close()}.
 *
 * <p>It listens on 127.0.0.1 on a free port and on a UNIX socket, and knows three users of domain
 * {@value #DOMAIN}: {@code alice} and {@code bob} without quota, and {@code carol} whose quota
 * ({@value #TINY_QUOTA}) is smaller than any message. Mail goes to
 * {@code <workDir>/mail/example.test/<user>} (Maildir; if other users cannot enter workDir, as
 * under /root, the Maildirs and passwd-file go to a private directory under /tmp instead, deleted
 * by {@link #close()}; so do Dovecot's sockets if workDir is too deep for a UNIX socket path).
 * Configuration, logs and (when short enough) the LMTP socket stay in workDir. The quota is checked after DATA unless
 * {@link DovecotOptions#lmtpRcptCheckQuota} is set.
 *
 * <p>Observed with Dovecot 2.3.19.1 (these strings are asserted by tests; the host name is set to
 * {@value #HOSTNAME} in the configuration):
 * <pre>
 * greeting        220 lmtp.example.test Dovecot (Debian) ready.
 * LHLO            250-lmtp.example.test / 250-8BITMIME / 250-CHUNKING / 250-ENHANCEDSTATUSCODES / 250 PIPELINING
 *                 (no AUTH, no SIZE, no STARTTLS with ssl = no)
 * MAIL            250 2.1.0 OK
 * RCPT known      250 2.1.5 OK
 * RCPT unknown    550 5.1.1 &lt;nobody@example.test&gt; User doesn't exist: nobody@example.test
 * DATA            354 OK          (503 5.5.0 No valid recipients without an accepted RCPT;
 *                                  503 5.5.0 MAIL needed first for RCPT before MAIL)
 * after the dot   250 2.0.0 &lt;alice@example.test&gt; &lt;session-id&gt; Saved   (one per accepted RCPT;
 *                 the id gets ":R2", ":R4"... suffixes for later recipients of the same session)
 * over quota      552 5.2.2 &lt;carol@example.test&gt; Quota exceeded (mailbox for user is full)
 *                 452 4.2.2 &lt;carol@example.test&gt; Quota exceeded (mailbox for user is full)   (quotaFullTempfail)
 * RSET, NOOP      250 2.0.0 OK;   VRFY 252 2.3.3 Try RCPT instead;   unknown 500 5.5.1 Unknown command
 * QUIT            221 2.0.0 Bye
 * </pre>
 * Stored messages start with the Return-Path and Received headers that Dovecot adds (and
 * Delivered-To when the transaction has a single accepted recipient),
 * followed by the message bytes exactly as sent, un-dot-stuffed ({@code mail_save_crlf = yes}
 * keeps the CRLF line ends).
 *
 * <p>With {@link DovecotOptions#withTls} the configuration has {@code ssl = yes} and that certificate:
 * the LHLO reply then lists STARTTLS ({@code 220 2.0.0 Begin TLS negotiation now.}). Dovecot LMTP
 * never offers AUTH.
 *
 * <p>Privileges: Dovecot refuses to deliver as uid 0. Run as root (as in CI), mail is stored as the
 * Debian system user {@code mail} (uid 8, present on every Debian system through base-passwd),
 * with {@code first_valid_uid = 8}; the harness gives the mail root directory to that user. Run as
 * another user, everything (mail and Dovecot's internal processes) runs as that user.
 *
 * <p>Diagnostics: {@link #start} throws {@link IllegalStateException} naming the Debian packages if
 * Dovecot is missing, and with {@link #logTail()} if Dovecot does not answer within the startup
 * timeout. {@link #close()} stops the whole process tree with bounded waits.
 */
public final class DovecotLmtpServer implements AutoCloseable {

    public static final String DOMAIN = "example.test";
    public static final String HOSTNAME = "lmtp.example.test";
    public static final String TINY_QUOTA = "*:storage=100B";

    static final Path DOVECOT = Path.of("/usr/sbin/dovecot");
    static final Path LMTP = Path.of("/usr/lib/dovecot/lmtp");
    private static final Path SETSID = Path.of("/usr/bin/setsid");
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final DovecotConfig.Layout layout;
    private final int port;
    private final Map<String, String> quotaRules;
    private final Path conf;
    private final Duration startupTimeout;
    private volatile Process process;
    private final Thread shutdownHook;
    private boolean closed;

    private DovecotLmtpServer(DovecotConfig.Layout layout, int port, Map<String, String> quotaRules, Path conf, DovecotOptions options)
            throws IOException {
        this.layout = layout;
        this.port = port;
        this.quotaRules = quotaRules;
        this.conf = conf;
        this.startupTimeout = options.startupTimeout();
        this.process = launch(conf, layout.workDir(), false);
        this.shutdownHook = new Thread(() -> DovecotProcesses.stop(this.process, STOP_TIMEOUT), "dovecot-test-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** {@link #start(Path, DovecotOptions)} with {@link DovecotOptions#defaults()}. */
    public static DovecotLmtpServer start(Path workDir) {
        return start(workDir, DovecotOptions.defaults());
    }

    /**
     * Writes the configuration under {@code workDir} (replacing what a previous run left there),
     * starts {@code dovecot -F} and waits until it greets on the TCP port.
     */
    public static DovecotLmtpServer start(Path workDir, DovecotOptions options) {
        if (!Files.isExecutable(DOVECOT) || !Files.isExecutable(LMTP)) {
            throw new IllegalStateException("Dovecot LMTP is not installed (" + DOVECOT + ", " + LMTP + "): "
                    + "apt-get install dovecot-core dovecot-lmtpd (see .ci/run)");
        }
        IllegalStateException failure = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                return startOnce(workDir.toAbsolutePath().normalize(), options);
            } catch (PortTakenException e) {
                failure = e; // another process took the free port between our probe and Dovecot's bind
            }
        }
        throw failure;
    }

    private static DovecotLmtpServer startOnce(Path workDir, DovecotOptions options) {
        try {
            DovecotConfig.Identity identity = DovecotProcesses.identity();
            DovecotConfig.Layout layout = DovecotWorkDir.prepare(workDir, identity);
            Map<String, String> quotaRules = new LinkedHashMap<>();
            quotaRules.put("alice", "");
            quotaRules.put("bob", "");
            quotaRules.put("carol", TINY_QUOTA);
            writeReadable(layout.usersFile(), DovecotConfig.usersFile(layout.mailRoot(), quotaRules));
            int port = freePort();
            Path conf = workDir.resolve("dovecot.conf");
            options.tls().ifPresent(leaf -> leaf.writePem(layout.workDir().resolve("tls-cert.pem"), layout.workDir().resolve("tls-key.pem")));
            writeReadable(conf, DovecotConfig.dovecotConf(layout, port, identity, options));

            DovecotLmtpServer server = new DovecotLmtpServer(layout, port, quotaRules, conf, options);
            server.awaitGreeting(options.startupTimeout());
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare Dovecot under " + workDir, e);
        }
    }

    /**
     * {@code dovecot -F} in a process group (and session) of its own, led by the master, so that
     * {@link #kill()} reaches every process Dovecot started with one signal.
     */
    private static Process launch(Path conf, Path workDir, boolean append) throws IOException {
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            command.add(SETSID.toString());
        }
        command.addAll(List.of(DOVECOT.toString(), "-F", "-c", conf.toString()));
        File out = workDir.resolve("dovecot.out").toFile();
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(append ? ProcessBuilder.Redirect.appendTo(out) : ProcessBuilder.Redirect.to(out))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
    }

    /**
     * SIGKILL to Dovecot's whole process group (the master, its LMTP processes, every helper), as
     * a crash or the OOM killer would: no reply is sent, nothing is cleaned. Returns once every
     * process of the group is gone (bounded). The mail stays; {@link #restart()} starts it again.
     */
    public synchronized void kill() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        DovecotProcesses.killGroup(process, STOP_TIMEOUT);
    }

    /**
     * Starts Dovecot again after {@link #kill()}, on the same port with the same configuration,
     * Maildirs and logs (appended), and waits until it greets. Bounded by the startup timeout;
     * a few attempts if the port is briefly taken.
     */
    public synchronized void restart() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (process.isAlive()) {
            throw new IllegalStateException("Dovecot is still running: kill() it first");
        }
        IllegalStateException failure = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                process = launch(conf, layout.workDir(), true);
                awaitGreeting(startupTimeout, false);
                return;
            } catch (PortTakenException e) {
                failure = e;
                sleep(Duration.ofMillis(500));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start Dovecot again", e);
            }
        }
        throw failure;
    }

    /** Whether Dovecot's master process runs (false after {@link #kill()}, until {@link #restart()}). */
    public boolean isRunning() {
        return process.isAlive();
    }

    private void awaitGreeting(Duration timeout) {
        awaitGreeting(timeout, true);
    }

    private void awaitGreeting(Duration timeout, boolean closeOnFailure) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no attempt";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                String log = logTail();
                if (closeOnFailure) {
                    close();
                }
                if (log.contains("Address already in use")) {
                    throw new PortTakenException(log);
                }
                throw new IllegalStateException("dovecot exited with status " + process.exitValue()
                        + " during startup; log tail:\n" + log);
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 1000);
                socket.setSoTimeout(2000);
                BufferedReader in = new BufferedReader(
                        new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
                last = in.readLine();
                if (last != null && last.startsWith("220 ") && Files.exists(layout.lmtpSocket())) {
                    OutputStream out = socket.getOutputStream();
                    out.write("QUIT\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    in.readLine();
                    return;
                }
            } catch (IOException e) {
                last = e.toString();
            }
            sleep(Duration.ofMillis(100));
        }
        String log = logTail();
        if (closeOnFailure) {
            close();
        } else {
            DovecotProcesses.killGroup(process, STOP_TIMEOUT);
        }
        throw new IllegalStateException("Dovecot did not greet on 127.0.0.1:" + port + " within " + timeout
                + " (last: " + last + "); log tail:\n" + log);
    }

    public int tcpPort() {
        return port;
    }

    /** The pid of the Dovecot master, whose descendants are the LMTP processes (for CPU accounting). */
    public long pid() {
        return process.pid();
    }

    /** The absolute path of the LMTP UNIX socket. */
    public Path unixSocket() {
        return layout.lmtpSocket();
    }

    /** {@code "inet:127.0.0.1:<port>"}. */
    public String tcpDestination() {
        return "inet:127.0.0.1:" + port;
    }

    /** {@code "unix:<absolute socket path>"}. */
    public String unixDestination() {
        return "unix:" + layout.lmtpSocket();
    }

    /** {@code user@example.test}. */
    public String address(String user) {
        return user + "@" + DOMAIN;
    }

    /** That user's Maildir (messages in its {@code new} and {@code cur}; {@code tmp} holds unfinished saves). */
    public Path maildir(String user) {
        return layout.mailRoot().resolve(DOMAIN).resolve(user);
    }

    /** The stored messages (Maildir new and cur) of that user, oldest delivery first. */
    public List<byte[]> messages(String user) {
        return Maildir.messages(maildir(user));
    }

    /**
     * Replaces that user's {@code userdb_quota_rule} (e.g. {@code "*:storage=10M"}; empty for no
     * quota). Dovecot re-reads the changed passwd-file at the next lookup: no restart. Takes up
     * to a second, because Dovecot checks the file at most once a second.
     */
    public synchronized void setQuota(String user, String rule) {
        if (!quotaRules.containsKey(user)) {
            throw new IllegalArgumentException("unknown user: " + user + " (known: " + quotaRules.keySet() + ")");
        }
        if (rule.indexOf('\n') >= 0 || rule.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("quota rule contains a line break");
        }
        quotaRules.put(user, rule);
        try {
            Path usersFile = layout.usersFile();
            FileTime before = Files.getLastModifiedTime(usersFile);
            Path temp = usersFile.resolveSibling("users.new");
            writeReadable(temp, DovecotConfig.usersFile(layout.mailRoot(), quotaRules));
            // Dovecot compares mtime (seconds) and size: make sure the change is seen.
            Instant now = Instant.now();
            Instant later = before.toInstant().plusSeconds(1);
            Files.setLastModifiedTime(temp, FileTime.from(now.isAfter(later) ? now : later));
            Files.move(temp, usersFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite " + layout.usersFile(), e);
        }
        // Dovecot's auth process stats the passwd-file at most once per second of its clock: wait
        // for the next second, so that every lookup from now on sees the new file.
        sleep(Duration.ofMillis(1050 - System.currentTimeMillis() % 1000));
    }

    /** The last lines of Dovecot's log and console output, for assertion messages. */
    public String logTail() {
        return LogTail.of(40, List.of(layout.workDir().resolve("dovecot.log"), layout.workDir().resolve("dovecot.out")));
    }

    /** Stops Dovecot and every process it started; bounded. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        DovecotProcesses.stop(process, STOP_TIMEOUT);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down
        }
        if (layout.privateDir() != null) {
            DovecotProcesses.deleteTree(layout.privateDir());
        }
    }

    private static void writeReadable(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Dovecot", e);
        }
    }

    /** Dovecot could not bind the port the harness picked. */
    private static final class PortTakenException extends IllegalStateException {
        PortTakenException(String log) {
            super("Dovecot could not bind its port; log tail:\n" + log);
        }
    }
}
