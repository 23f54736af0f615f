package dev.jameslmtp.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A private Postfix instance, the reference MTA: its own {@code main.cf}, {@code master.cf},
 * queue and data directories under the work directory, smtpd on a loopback port, every message
 * relayed with {@code lmtp(8)} to the sink ({@code default_transport = lmtp:inet:127.0.0.1:<port>},
 * Postfix's LMTP connection cache on). Started with {@code postfix -c DIR start}, pinned to the
 * MTA's CPU (its processes inherit the affinity), stopped with {@code postfix -c DIR stop}.
 *
 * <p>Requirements: root (Postfix's master runs as root and drops to {@code mail_owner}), the
 * {@code postfix} user and {@code postdrop} group of Debian's package. Logs go to
 * {@code data/maillog} (postlogd), not to syslog.
 */
final class PrivatePostfix implements AutoCloseable {

    private final Path confDir;
    private final Path log;
    private final int smtpPort;

    private PrivatePostfix(Path confDir, Path log, int smtpPort) {
        this.confDir = confDir;
        this.log = log;
        this.smtpPort = smtpPort;
    }

    static boolean available() {
        return Processes.installed("postfix") && Processes.isRoot();
    }

    static PrivatePostfix start(Path directory, int sinkPort, String cpu) throws IOException, InterruptedException {
        Path dir = directory.toAbsolutePath(); // Postfix wants absolute paths
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Path queue = Files.createDirectories(dir.resolve("queue"));
        Path data = Files.createDirectories(dir.resolve("data"));
        int smtpPort = Sink.freePort();
        Files.writeString(conf.resolve("main.cf"), """
                compatibility_level = 3.6
                queue_directory = %1$s
                data_directory = %2$s
                mail_owner = postfix
                setgid_group = postdrop
                myhostname = bench.localdomain
                mydomain = localdomain
                mydestination =
                inet_interfaces = 127.0.0.1
                inet_protocols = ipv4
                mynetworks = 127.0.0.0/8
                smtpd_relay_restrictions = permit_mynetworks, reject
                default_transport = lmtp:inet:127.0.0.1:%3$d
                relay_transport = lmtp:inet:127.0.0.1:%3$d
                lmtp_connection_cache_on_demand = yes
                alias_maps =
                alias_database =
                local_recipient_maps =
                biff = no
                maillog_file_prefixes = %4$s
                maillog_file = %2$s/maillog
                """.formatted(queue, data, sinkPort, dir), StandardCharsets.US_ASCII);
        Files.writeString(conf.resolve("master.cf"), """
                127.0.0.1:%d inet n - n - - smtpd
                pickup    unix  n       -       n       60      1       pickup
                cleanup   unix  n       -       n       -       0       cleanup
                qmgr      unix  n       -       n       300     1       qmgr
                rewrite   unix  -       -       n       -       -       trivial-rewrite
                bounce    unix  -       -       n       -       0       bounce
                defer     unix  -       -       n       -       0       bounce
                trace     unix  -       -       n       -       0       bounce
                verify    unix  -       -       n       -       1       verify
                flush     unix  n       -       n       1000?   0       flush
                proxymap  unix  -       -       n       -       -       proxymap
                showq     unix  n       -       n       -       -       showq
                error     unix  -       -       n       -       -       error
                retry     unix  -       -       n       -       -       error
                discard   unix  -       -       n       -       -       discard
                lmtp      unix  -       -       n       -       -       lmtp
                anvil     unix  -       -       n       -       1       anvil
                scache    unix  -       -       n       -       1       scache
                postlog   unix-dgram n  -       n       -       1       postlogd
                """.formatted(smtpPort), StandardCharsets.US_ASCII);
        Processes.run(dir.resolve("postfix.log"), 60, List.of("chown", "postfix", data.toString()));
        Path log = dir.resolve("postfix.log");
        int status = Processes.run(log, 120, Processes.pinned(cpu, Processes.which("postfix"), "-c", conf.toString(), "start"));
        if (status != 0) {
            throw new IOException("postfix -c " + conf + " start exited with " + status + "; see " + log + " and " + data.resolve("maillog"));
        }
        PrivatePostfix postfix = new PrivatePostfix(conf, log, smtpPort);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (var probe = new java.net.Socket("127.0.0.1", smtpPort)) {
                return postfix;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        postfix.close();
        throw new IOException("Postfix's smtpd did not listen on 127.0.0.1:" + smtpPort);
    }

    int smtpPort() {
        return smtpPort;
    }

    /** The master's process id, from {@code queue/pid/master.pid}. */
    long masterPid() throws IOException {
        Path pidFile = confDir.getParent().resolve("queue/pid/master.pid");
        return Long.parseLong(Files.readString(pidFile).strip());
    }

    @Override
    public void close() {
        try {
            Processes.run(log, 60, List.of(Processes.which("postfix"), "-c", confDir.toString(), "stop"));
        } catch (IOException | InterruptedException e) {
            System.err.println("postfix -c " + confDir + " stop: " + e);
        }
    }
}
