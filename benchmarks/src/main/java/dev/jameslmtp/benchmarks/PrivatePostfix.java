package dev.jameslmtp.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A private Postfix instance, the reference MTA: its own {@code main.cf}, {@code master.cf},
 * queue and data directories under the work directory, smtpd on a loopback port, every message
 * relayed with {@code lmtp(8)} to the sink ({@code default_transport = lmtp:inet:127.0.0.1:<port>},
 * Postfix's LMTP connection cache on). Started with {@code postfix -c DIR start}, pinned to the
 * MTA's CPU (its processes inherit the affinity), stopped with {@code postfix -c DIR stop}. It
 * starts with an empty queue (an instance a killed run left behind is stopped first). Its
 * {@code lmtp} runs at most {@code concurrency} deliveries to the sink at once
 * ({@code lmtp_destination_concurrency_limit}), as many as LmtpDelivery's threads.
 *
 * <p>CPU time ({@link #cpu}): when a control group can be made ({@link CpuGroups}), the master
 * starts inside one, so every Postfix process is charged to it, those that exit (an {@code lmtp}
 * or {@code smtpd} after {@code max_use} requests, {@code cleanup} when idle) included;
 * {@code lmtp} and {@code qmgr} are charged to child groups of their own: master.cf runs them
 * through a two-line wrapper (written under the work directory, named relative to Postfix's
 * {@code daemon_directory}) that moves its own process into the child group and then
 * {@code exec}s the real daemon, keeping the pid the master knows. Without a control group, the
 * total is the master's process tree from {@code /proc} plus the CPU of the children it reaped
 * (its {@code cutime}/{@code cstime}), and the split by daemon is unknown.
 *
 * <p>Requirements: root (Postfix's master runs as root and drops to {@code mail_owner}), the
 * {@code postfix} user and {@code postdrop} group of Debian's package. Logs go to
 * {@code data/maillog} (postlogd), not to syslog.
 */
final class PrivatePostfix implements AutoCloseable {

    /** CPU time of the whole instance and of its {@code lmtp} and {@code qmgr}, in nanoseconds; -1 when unknown. */
    record Cpu(long total, long lmtp, long qmgr) {

        Cpu minus(Cpu before) {
            return new Cpu(difference(total, before.total), difference(lmtp, before.lmtp), difference(qmgr, before.qmgr));
        }

        long lmtpAndQmgr() {
            return lmtp < 0 || qmgr < 0 ? -1 : lmtp + qmgr;
        }

        private static long difference(long after, long before) {
            return after < 0 || before < 0 ? -1 : after - before;
        }
    }

    private static final List<String> CHARGED_APART = List.of("lmtp", "qmgr");

    private final Path confDir;
    private final Path log;
    private final int smtpPort;
    private final Optional<CpuGroups> groups;

    private PrivatePostfix(Path confDir, Path log, int smtpPort, Optional<CpuGroups> groups) {
        this.confDir = confDir;
        this.log = log;
        this.smtpPort = smtpPort;
        this.groups = groups;
    }

    static boolean available() {
        return Processes.installed("postfix") && Processes.isRoot();
    }

    static PrivatePostfix start(Path directory, int sinkPort, String cpu, int concurrency) throws IOException, InterruptedException {
        Path dir = directory.toAbsolutePath(); // Postfix wants absolute paths
        Path conf = Files.createDirectories(dir.resolve("conf"));
        // A run killed earlier may have left its instance running, and mail in the queue that would reach this run's sink
        if (Files.exists(conf.resolve("main.cf"))) {
            Processes.run(dir.resolve("postfix.log"), 60, List.of(Processes.which("postfix"), "-c", conf.toString(), "stop"));
        }
        Processes.deleteTree(dir.resolve("queue"));
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
                lmtp_destination_concurrency_limit = %5$d
                alias_maps =
                alias_database =
                local_recipient_maps =
                biff = no
                maillog_file_prefixes = %4$s
                maillog_file = %2$s/maillog
                """.formatted(queue, data, sinkPort, dir, concurrency), StandardCharsets.US_ASCII);
        Optional<CpuGroups> groups = CpuGroups.create(CHARGED_APART);
        try {
            return start(dir, conf, smtpPort, cpu, groups);
        } catch (IOException | InterruptedException | RuntimeException e) {
            groups.ifPresent(CpuGroups::close);
            throw e;
        }
    }

    /** master.cf, then {@code postfix start} (in the control group, when there is one), then smtpd's port answers. */
    private static PrivatePostfix start(Path dir, Path conf, int smtpPort, String cpu, Optional<CpuGroups> groups)
            throws IOException, InterruptedException {
        Path data = dir.resolve("data");
        String lmtp = "lmtp";
        String qmgr = "qmgr";
        if (groups.isPresent()) {
            lmtp = chargedApart(dir, conf, groups.get(), "lmtp");
            qmgr = chargedApart(dir, conf, groups.get(), "qmgr");
        }
        Files.writeString(conf.resolve("master.cf"), """
                127.0.0.1:%1$d inet n - n - - smtpd
                pickup    unix  n       -       n       60      1       pickup
                cleanup   unix  n       -       n       -       0       cleanup
                qmgr      unix  n       -       n       300     1       %2$s
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
                lmtp      unix  -       -       n       -       -       %3$s
                anvil     unix  -       -       n       -       1       anvil
                scache    unix  -       -       n       -       1       scache
                postlog   unix-dgram n  -       n       -       1       postlogd
                """.formatted(smtpPort, qmgr, lmtp), StandardCharsets.US_ASCII);
        Processes.run(dir.resolve("postfix.log"), 60, List.of("chown", "postfix", data.toString()));
        Path log = dir.resolve("postfix.log");
        List<String> start = Processes.pinned(cpu, Processes.which("postfix"), "-c", conf.toString(), "start");
        if (groups.isPresent()) { // the master and all it forks are charged to the group
            start = new java.util.ArrayList<>(List.of("/bin/sh", "-c", "echo $$ > \"$1\" && shift && exec \"$@\"", "sh",
                    groups.get().procs("").toString()));
            start.addAll(Processes.pinned(cpu, Processes.which("postfix"), "-c", conf.toString(), "start"));
        }
        int status = Processes.run(log, 120, start);
        if (status != 0) {
            throw new IOException("postfix -c " + conf + " start exited with " + status + "; see " + log + " and " + data.resolve("maillog"));
        }
        PrivatePostfix postfix = new PrivatePostfix(conf, log, smtpPort, groups);
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

    /**
     * Writes the wrapper that charges {@code daemon} to its child group and returns master.cf's
     * command for it: the wrapper's path relative to Postfix's {@code daemon_directory}, to which
     * the master prefixes it.
     */
    private static String chargedApart(Path dir, Path conf, CpuGroups groups, String daemon) throws IOException, InterruptedException {
        Path daemons = Path.of(Processes.output(List.of(Processes.which("postconf"), "-c", conf.toString(), "-h", "daemon_directory"), 30)
                .strip()).toRealPath();
        Path wrapper = Files.createDirectories(dir.resolve("charged")).resolve(daemon);
        Files.writeString(wrapper, """
                #!/bin/sh
                # scripts/benchmark: charge this %1$s to its own cgroup, then become Postfix's %1$s (same pid)
                echo $$ > '%2$s' || exit 1
                exec '%3$s' "$@"
                """.formatted(daemon, groups.procs(daemon), daemons.resolve(daemon)), StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        return daemons.relativize(wrapper.toRealPath()).toString();
    }

    int smtpPort() {
        return smtpPort;
    }

    /** CPU time so far: see the class comment for how. */
    Cpu cpu() throws IOException {
        if (groups.isPresent()) {
            CpuGroups g = groups.get();
            return new Cpu(g.nanos(""), g.nanos("lmtp"), g.nanos("qmgr"));
        }
        return new Cpu(Processes.treeCpuNanos(masterPid()), -1, -1);
    }

    /** How {@link #cpu} counts, for the table's notes. */
    String cpuMethod() {
        return groups.map(g -> "Postfix's CPU: " + g.describe() + " (the master starts in it; lmtp and qmgr are charged to"
                + " child groups by a wrapper that execs the daemon); processes that exited are counted.")
                .orElse("Postfix's CPU: the master's process tree from /proc plus what it collected from the children it reaped"
                        + " (cutime+cstime); lmtp and qmgr apart: unknown (no writable cgroup).");
    }

    /**
     * Waits, bounded, until no message is left in the queue ({@code maildrop}, {@code incoming},
     * {@code active}, {@code deferred}): the sink counts a message before {@code lmtp} tells
     * {@code qmgr}, which then removes its queue file. Returns whether the queue emptied.
     */
    boolean awaitEmptyQueue(Duration patience) throws IOException, InterruptedException {
        Path queue = confDir.getParent().resolve("queue");
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            long files = 0;
            for (String name : List.of("maildrop", "incoming", "active", "deferred")) {
                Path dir = queue.resolve(name);
                if (Files.isDirectory(dir)) {
                    try (var paths = Files.walk(dir)) {
                        files += paths.filter(Files::isRegularFile).count();
                    } catch (java.io.UncheckedIOException goneMeanwhile) {
                        files++; // a file moved while we looked: look again
                    }
                }
            }
            if (files == 0) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
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
        groups.ifPresent(CpuGroups::close);
    }
}
