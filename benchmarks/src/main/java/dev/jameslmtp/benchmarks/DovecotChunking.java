package dev.jameslmtp.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.jameslmtp.client.Content;
import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.Envelope;
import dev.jameslmtp.client.LmtpClient;
import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.session.LmtpConnection;
import dev.jameslmtp.client.session.Timeouts;
import dev.jameslmtp.testing.DovecotLmtpServer;

/**
 * BDAT against DATA into a real Dovecot LMTP (Debian's, a private configuration; its mail on
 * tmpfs, {@code /dev/shm}, so that the disk does not hide the protocol) at 10 KB, 100 KB and 1 MB:
 * one connection over the UNIX socket, kept for the whole run, one recipient per message, each run
 * into an emptied mailbox (Dovecot's Maildir, quota and index costs grow with the mailbox). For each
 * size, each way runs once unmeasured (the JIT), then {@code rounds} interleaved runs of both;
 * the figures are the medians: messages per second, this JVM's CPU per message, and Dovecot's (the
 * master and every descendant: the LMTP process, auth, log, from {@code /proc}) per message.
 * Skipped, saying so, when Dovecot is not installed.
 */
final class DovecotChunking {

    private static final Path DOVECOT = Path.of("/usr/sbin/dovecot");

    private DovecotChunking() {
    }

    static boolean available() {
        return Files.isExecutable(DOVECOT);
    }

    /** One run: the client side's measurement, and Dovecot's CPU over it. */
    private record Run(Measurement client, long dovecotCpuNanos) {
        double dovecotMicrosPerMessage() {
            return dovecotCpuNanos < 0 ? -1 : dovecotCpuNanos / 1e3 / client.messages();
        }
    }

    static void run(Benchmark.Options options, PrintStream log, List<Benchmark.Row> rows, List<String> notes) throws Exception {
        if (!available()) {
            notes.add("BDAT against DATA into Dovecot: skipped (dovecot is not installed).");
            return;
        }
        Path shm = Path.of("/dev/shm");
        Path work = Files.createTempDirectory(Files.isDirectory(shm) ? shm : options.workDir(), "james-lmtp-bench-dovecot-");
        try (DovecotLmtpServer dovecot = DovecotLmtpServer.start(work)) {
            size(options, log, rows, dovecot, "10 KB", 10 * 1024, options.n(1_000));
            size(options, log, rows, dovecot, "100 KB", 100 * 1024, options.n(500));
            size(options, log, rows, dovecot, "1 MB", 1024 * 1024, options.n(100));
        } finally {
            deleteRecursively(work);
        }
        notes.add("BDAT against DATA: a real Dovecot " + dovecotVersion() + " LMTP over its UNIX socket, mail on tmpfs, one connection"
                + " reused, one recipient; ours = BDAT (CHUNKING offered, useChunking=true), reference = DATA (useChunking=false);"
                + " CPU per message of this JVM and of Dovecot's processes.");
    }

    private static void size(Benchmark.Options options, PrintStream log, List<Benchmark.Row> rows, DovecotLmtpServer dovecot,
                             String label, int payload, long n) throws Exception {
        log.printf("BDAT against DATA into Dovecot, %s, N=%d ...%n", label, n);
        byte[] message = Messages.of(payload);
        long warmUp = Math.max(8, n / 5);
        deliver(dovecot, false, message, warmUp);
        deliver(dovecot, true, message, warmUp);
        List<Run> data = new ArrayList<>();
        List<Run> bdat = new ArrayList<>();
        for (int round = 0; round < options.rounds(); round++) {
            data.add(deliver(dovecot, false, message, n));
            bdat.add(deliver(dovecot, true, message, n));
        }
        Run b = median(bdat);
        Run d = median(data);
        rows.add(new Benchmark.Row("BDAT against DATA into Dovecot, " + label + ", 1 connection reused, N=" + n,
                "BDAT: " + figures(b), "DATA: " + figures(d),
                "rate " + Benchmark.ratio(b.client().perSecond(), d.client().perSecond())
                        + "; our CPU " + Benchmark.ratio(b.client().cpuMicrosPerMessage(), d.client().cpuMicrosPerMessage())
                        + "; Dovecot CPU " + Benchmark.ratio(b.dovecotMicrosPerMessage(), d.dovecotMicrosPerMessage()),
                "a measurement"));
    }

    private static String figures(Run run) {
        return Benchmark.rate(run.client()) + (run.dovecotMicrosPerMessage() < 0 ? ", Dovecot CPU ?"
                : String.format(Locale.ROOT, ", Dovecot %.0f µs CPU/msg", run.dovecotMicrosPerMessage()));
    }

    private static Run median(List<Run> runs) {
        List<Run> sorted = new ArrayList<>(runs);
        sorted.sort((a, b) -> Double.compare(a.client().perSecond(), b.client().perSecond()));
        return sorted.get((sorted.size() - 1) / 2);
    }

    private static Run deliver(DovecotLmtpServer dovecot, boolean useChunking, byte[] message, long n) throws Exception {
        LmtpClient client = LmtpClient.builder().lhloName("bench.localdomain").useChunking(useChunking)
                .timeouts(Timeouts.defaults().withAll(Duration.ofSeconds(60))).build();
        Content content = Content.of(message);
        Envelope envelope = Envelope.of("sender@sender.test", dovecot.address("alice"));
        // Every run starts from an empty mailbox: a Maildir (and its quota file and index) that grows
        // from run to run makes each delivery dearer, which would measure the mailbox, not the protocol.
        deleteRecursively(dovecot.maildir("alice"));
        LmtpConnection connection = client.connect(Destination.parse(dovecot.unixDestination()));
        try {
            long dovecotCpu = Processes.treeCpuNanos(dovecot.pid());
            long cpu = Processes.jvmCpuNanos();
            long start = System.nanoTime();
            for (long i = 0; i < n; i++) {
                DeliveryResult result = connection.deliver(envelope, content);
                if (!result.allDelivered()) {
                    throw new IllegalStateException((useChunking ? "BDAT" : "DATA") + " into Dovecot failed: " + result.verdict(0).text());
                }
            }
            long wall = System.nanoTime() - start;
            long cpuUsed = Processes.jvmCpuNanos() - cpu;
            long dovecotAfter = Processes.treeCpuNanos(dovecot.pid());
            return new Run(new Measurement(n, wall, cpuUsed, n, n - 1), dovecotCpu < 0 || dovecotAfter < 0 ? -1 : dovecotAfter - dovecotCpu);
        } finally {
            connection.quit();
        }
    }

    private static String dovecotVersion() {
        try {
            Process process = new ProcessBuilder(DOVECOT.toString(), "--version").redirectErrorStream(true).start();
            String version = new String(process.getInputStream().readAllBytes()).strip();
            process.waitFor();
            return version.split(" ")[0];
        } catch (IOException e) {
            return "?";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path path : (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
                    Files.delete(path);
                }
            }
        }
    }
}
