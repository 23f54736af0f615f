package dev.jameslmtp.benchmarks;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import org.apache.james.blob.api.HashBlobId;
import org.apache.james.blob.memory.MemoryBlobStoreDAO;
import org.apache.james.core.MailAddress;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;

import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.mailet.journal.AttemptMarks;
import dev.jameslmtp.mailet.journal.BlobJournal;
import dev.jameslmtp.mailet.journal.DeliveryJournal;
import dev.jameslmtp.mailet.journal.FileJournal;
import dev.jameslmtp.mailet.journal.MailJournal;

/**
 * What the delivery journal costs per mail, on its own: the file journal (one shared log per directory,
 * fsync, on the benchmark's disk) and the journal in James's blob store (over James's memory
 * store, so the figure is our own cost; a real store adds one round trip per call: 1 read, 1 save
 * per recipient, 1 save at the acknowledgement). Each mail has 3 recipients, all delivered: read,
 * three marks, sync, settle; one attempt at a time, and for the files also 8 at once (the mails
 * finishing together share an fsync). Medians of the rounds, after a warm-up.
 *
 * <p>A row of {@code scripts/benchmark}; on its own (same class path):
 * {@code java ... dev.jameslmtp.benchmarks.JournalCost [--scale=1.0] [--rounds=3] [--work=DIR]}.
 */
final class JournalCost {

    private static final int RECIPIENTS = 3;
    private static final int PARALLEL = 8;

    private JournalCost() {
    }

    public static void main(String[] args) throws Exception {
        List<Benchmark.Row> rows = new ArrayList<>();
        run(Benchmark.Options.parse(args), System.err, rows);
        rows.forEach(row -> System.out.println("| " + row.figure() + " | " + row.ours() + " | " + row.reference() + " |"));
    }

    static void run(Benchmark.Options options, PrintStream log, List<Benchmark.Row> rows) throws Exception {
        long n = options.n(2_000);
        Path dir = Files.createDirectories(options.workDir().resolve("journal"));
        for (String store : List.of("file", "file8", "blob")) {
            log.printf("delivery journal, %s, N=%d ...%n", store, n);
            int attempts = store.equals("file8") ? PARALLEL : 1;
            List<double[]> rounds = new ArrayList<>();
            try (DeliveryJournal journal = store.startsWith("file") ? FileJournal.open(dir.resolve(store))
                    : BlobJournal.open(new MemoryBlobStoreDAO(), new HashBlobId.Factory(), "bench", Clock.systemUTC())) {
                parallel(journal, Math.max(8, n / 5), "warm", attempts);
                for (int round = 0; round < options.rounds(); round++) {
                    rounds.add(parallel(journal, n, "r" + round, attempts));
                }
            }
            rounds.sort((a, b) -> Double.compare(a[0], b[0]));
            double[] median = rounds.get(rounds.size() / 2);
            String kind = switch (store) {
                case "file" -> "files with fsync (journalStore file)";
                case "file8" -> "files with fsync, " + PARALLEL + " attempts at once (wall: elapsed / N)";
                default -> "James's blob store, memory (journalStore blobstore)";
            };
            rows.add(new Benchmark.Row("delivery journal per mail (3 recipients delivered), " + kind + ", N=" + n,
                    String.format(Locale.ROOT, "%.0f µs, CPU %.0f µs", median[0], median[1]),
                    store.equals("blob") ? "+ 5 store calls per mail on a real blob store" : "", "", ""));
        }
    }

    /** Wall (elapsed over {@code n}) and CPU (summed over the threads) microseconds per mail, {@code attempts} threads sharing the mails. */
    private static double[] parallel(DeliveryJournal journal, long n, String tag, int attempts) throws Exception {
        if (attempts == 1) {
            return once(journal, n, tag);
        }
        ExecutorService pool = Executors.newFixedThreadPool(attempts);
        try {
            long wall = System.nanoTime();
            List<Future<double[]>> parts = new ArrayList<>();
            for (int t = 0; t < attempts; t++) {
                String part = tag + "-" + t;
                parts.add(pool.submit(() -> once(journal, n / attempts, part)));
            }
            double cpu = 0;
            for (Future<double[]> part : parts) {
                cpu += part.get()[1] * (n / attempts);
            }
            long done = n / attempts * attempts;
            return new double[] {(System.nanoTime() - wall) / 1000.0 / done, cpu / done};
        } finally {
            pool.shutdown();
        }
    }

    /** Wall and CPU microseconds per mail for {@code n} mails. */
    private static double[] once(DeliveryJournal journal, long n, String tag) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<MailAddress> recipients = new ArrayList<>();
        for (int i = 0; i < RECIPIENTS; i++) {
            recipients.add(new MailAddress("user" + i + "@example.test"));
        }
        long wall = System.nanoTime();
        long cpu = threads.getCurrentThreadCpuTime();
        for (long i = 0; i < n; i++) {
            Mail mail = MailImpl.builder().name("bench-" + tag + "-" + i).sender("sender@example.test").addRecipients(recipients).build();
            DeliveryJournal.setId(mail, DeliveryJournal.newId());
            try (MailJournal marks = journal.tryOpen(mail).orElseThrow()) {
                marks.read(recipients);
                AttemptMarks attempt = marks.marksFor(IntStream.range(0, RECIPIENTS).boxed().toList(), recipients);
                for (int r = 0; r < RECIPIENTS; r++) {
                    attempt.mark(r, Fate.DELIVERED);
                }
                marks.sync();
                marks.settle();
            }
        }
        return new double[] {(System.nanoTime() - wall) / 1000.0 / n, (threads.getCurrentThreadCpuTime() - cpu) / 1000.0 / n};
    }
}
