package dev.jameslmtp.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

import com.google.inject.Module;

import dev.jameslmtp.demo.ActiveMQQueueModule;
import dev.jameslmtp.demo.BenchmarkJames;

/**
 * James end to end, every configuration fed the same way ({@code smtp-source -s 8}, 1 KB
 * messages over SMTP, a new session per message) into the same embedded James, on the same CPU
 * as Postfix and the feeder, in one run:
 * <ol>
 * <li>James + LmtpDelivery (memory queue) → the sink, rounds interleaved with the private Postfix
 * alone (smtpd, cleanup, qmgr, lmtp → the sink);</li>
 * <li>James + {@code Null}: James's intake alone; done when {@code CountingHostIs} has seen every
 * mail;</li>
 * <li>James + RemoteDelivery → the private Postfix → the sink: the topology LmtpDelivery
 * replaces, James's CPU and Postfix's (all of it, and {@code lmtp}+{@code qmgr} apart, see
 * {@link PrivatePostfix#cpu});</li>
 * <li>James + LmtpDelivery with a persistent queue (ActiveMQ), interleaved with Postfix alone.</li>
 * </ol>
 * Each configuration runs once unmeasured (a fifth of N), then {@code rounds} times; its figure is
 * the median run. A run ends when the sink (or the {@code Null} count) has every message; Postfix's
 * CPU is read once its queue is empty too (the sink counts a message before {@code qmgr} removes
 * it). LmtpDelivery, RemoteDelivery and Postfix's {@code lmtp} all deliver on
 * {@value #CONCURRENCY} connections at most. Every wait is bounded; a run that falls short is a
 * failure in the report. James's CPU is this JVM's (James is embedded).
 */
final class EndToEnd {

    static final int CONCURRENCY = 8;
    private static final String BOUNDED_ELASTIC = "reactor.schedulers.defaultBoundedElasticSize";
    private static final Duration PATIENCE = Duration.ofMinutes(10);

    /** One run: its rate and this JVM's CPU (James's), and Postfix's CPU when Postfix took part. */
    private record Run(Measurement james, PrivatePostfix.Cpu postfix) {

        static Run median(List<Run> runs) {
            List<Run> sorted = new ArrayList<>(runs);
            sorted.sort(Comparator.comparingDouble(r -> r.james().perSecond()));
            return sorted.get((sorted.size() - 1) / 2);
        }

        double postfixMicros() {
            return micros(postfix.total());
        }

        double lmtpAndQmgrMicros() {
            return micros(postfix.lmtpAndQmgr());
        }

        private double micros(long nanos) {
            return nanos < 0 ? -1 : nanos / 1e3 / james.messages();
        }
    }

    private final Benchmark.Options options;
    private final PrintStream log;
    private final Sink sink;
    private final SmtpSource feeder;
    private final List<Benchmark.Row> rows;
    private final List<String> failures;
    private final List<String> notes;
    private final long n;
    private final long warmUp;
    private long messagesPlanned;
    private long messagesDone;
    private int step;
    private int steps;
    private long started;

    private EndToEnd(Benchmark.Options options, PrintStream log, Sink sink, SmtpSource feeder, List<Benchmark.Row> rows,
                     List<String> failures, List<String> notes) {
        this.options = options;
        this.log = log;
        this.sink = sink;
        this.feeder = feeder;
        this.rows = rows;
        this.failures = failures;
        this.notes = notes;
        this.n = options.n(5_000);
        this.warmUp = Math.max(8, n / 5);
    }

    static void run(Benchmark.Options options, PrintStream log, Sink sink, SmtpSource feeder, List<Benchmark.Row> rows,
                    List<String> failures, List<String> notes) throws Exception {
        if (!SmtpSource.available() || sink instanceof Sink.FakeSink) {
            notes.add("James end to end: skipped (smtp-source/smtp-sink missing).");
            return;
        }
        new EndToEnd(options, log, sink, feeder, rows, failures, notes).all();
    }

    private void all() throws Exception {
        boolean withPostfix = PrivatePostfix.available();
        if (!withPostfix) {
            notes.add("Private Postfix: skipped (needs the postfix package and root); so is the replaced topology.");
        }
        int postfixRounds = withPostfix ? options.rounds() : 0;
        plan(withPostfix ? 4 : 3, 3 * options.rounds() + 3 * postfixRounds); // Postfix alone twice, the replaced topology once
        log.printf("James end to end, N=%d per run, %d runs (warm-ups of %d included) ...%n", n, steps, warmUp);
        started = System.nanoTime();
        List<Run> memory = new ArrayList<>();
        List<Run> persistent = new ArrayList<>();
        List<Measurement> postfix = new ArrayList<>();
        List<Run> intake = new ArrayList<>();
        List<Run> replaced = new ArrayList<>();
        try (PrivatePostfix mta = withPostfix ? PrivatePostfix.start(options.workDir().resolve("postfix"), sink.port(),
                options.clientCpu(), CONCURRENCY) : null) {
            try (BenchmarkJames james = lmtpDelivery("james-memory", List.of())) {
                warmUp("James + LmtpDelivery", james.smtpPort(), sink::count, null);
                for (int round = 0; round < options.rounds(); round++) {
                    memory.add(once("James + LmtpDelivery", round, james.smtpPort(), n, sink::count, null));
                    if (mta != null) {
                        postfix.add(postfixAlone(round, mta));
                    }
                }
            }
            try (BenchmarkJames james = BenchmarkJames.withNull(fresh("james-null"))) {
                warmUp("James + Null", james.smtpPort(), james::nullCount, null);
                for (int round = 0; round < options.rounds(); round++) {
                    intake.add(once("James + Null", round, james.smtpPort(), n, james::nullCount, null));
                }
            }
            if (mta != null) {
                try (BenchmarkJames james = BenchmarkJames.withRemoteDelivery(fresh("james-remote"), mta.smtpPort(),
                        Map.of("outgoing", "bench-remote-outgoing", "maxRetries", "3", "delayTime", "3*1 second"))) {
                    warmUp("James + RemoteDelivery → Postfix", james.smtpPort(), sink::count, mta);
                    for (int round = 0; round < options.rounds(); round++) {
                        replaced.add(once("James + RemoteDelivery → Postfix", round, james.smtpPort(), n, sink::count, mta));
                    }
                }
                notes.add(mta.cpuMethod());
            }
            try (BenchmarkJames james = lmtpDelivery("james-persistent", List.of(new ActiveMQQueueModule()))) {
                warmUp("James + LmtpDelivery, persistent queue", james.smtpPort(), sink::count, null);
                for (int round = 0; round < options.rounds(); round++) {
                    persistent.add(once("James + LmtpDelivery, persistent queue", round, james.smtpPort(), n, sink::count, null));
                    if (mta != null) {
                        postfix.add(postfixAlone(round, mta));
                    }
                }
            }
        }
        Run lmtp = Run.median(memory);
        Measurement p = postfix.isEmpty() ? null : Measurement.median(postfix);
        againstPostfix("James end to end (SMTP in, LmtpDelivery, LMTP to the sink), memory queue", lmtp.james(), p, "≥ 2.0×");
        againstPostfix("James end to end, persistent queue (ActiveMQ)", Run.median(persistent).james(), p, "≥ 1.0×");
        targets(lmtp, Run.median(intake), replaced.isEmpty() ? null : Run.median(replaced));
        notes.add("End to end: 1 KB messages fed by smtp-source -s 8 over SMTP. James's memory queue lives in memory;"
                + " its persistent queue (ActiveMQ's KahaDB) and Postfix's queue are on disk. Postfix's figure is the median of"
                + " its runs interleaved with both James + LmtpDelivery runs. LmtpDelivery, RemoteDelivery and Postfix's lmtp"
                + " deliver on " + CONCURRENCY + " connections at most (RemoteDelivery: Reactor's bounded-elastic size, "
                + BOUNDED_ELASTIC + "=" + reactor.core.scheduler.Schedulers.DEFAULT_BOUNDED_ELASTIC_SIZE + ").");
    }

    /** The rows of the targets: our mailet against James's intake and against the topology it replaces. */
    private void targets(Run lmtp, Run intake, Run replaced) {
        Measurement ours = lmtp.james();
        Measurement nul = intake.james();
        rows.add(new Benchmark.Row("James + Null mailet (James's intake alone: SMTP in, spool, Null), memory queue, 1 KB, N=" + n,
                Benchmark.rate(nul), "", "", ""));
        double mailet = ours.cpuMicrosPerMessage() < 0 || nul.cpuMicrosPerMessage() < 0 ? -1
                : ours.cpuMicrosPerMessage() - nul.cpuMicrosPerMessage();
        rows.add(new Benchmark.Row("throughput, James + LmtpDelivery ÷ James + Null", rateOnly(ours), rateOnly(nul),
                Benchmark.ratio(ours.perSecond(), nul.perSecond()), "≥ 0.8×"));
        if (replaced == null) {
            rows.add(new Benchmark.Row("the replaced topology (James + RemoteDelivery → Postfix → the sink)", "not run (needs the private Postfix)",
                    "", "", ""));
            return;
        }
        Measurement remote = replaced.james();
        rows.add(new Benchmark.Row("the replaced topology: James + RemoteDelivery → private Postfix (smtpd, cleanup, qmgr, lmtp) → the"
                + " sink, 1 KB, N=" + n, Benchmark.rate(remote) + " (James)",
                "Postfix " + micros(replaced.postfixMicros()) + ", of which lmtp+qmgr " + micros(replaced.lmtpAndQmgrMicros()), "", ""));
        rows.add(new Benchmark.Row("our mailet's CPU per message (James + LmtpDelivery − James + Null) ÷ Postfix's lmtp+qmgr",
                micros(mailet), micros(replaced.lmtpAndQmgrMicros()), Benchmark.ratio(mailet, replaced.lmtpAndQmgrMicros()), "≤ 0.35×"));
        rows.add(new Benchmark.Row("throughput, James + LmtpDelivery ÷ the replaced topology", rateOnly(ours), rateOnly(remote),
                Benchmark.ratio(ours.perSecond(), remote.perSecond()), "≥ 4×"));
        double chain = remote.cpuMicrosPerMessage() < 0 || replaced.postfixMicros() < 0 ? -1
                : remote.cpuMicrosPerMessage() + replaced.postfixMicros();
        rows.add(new Benchmark.Row("chain CPU per message, James + LmtpDelivery ÷ (James + RemoteDelivery, plus Postfix)",
                micros(ours.cpuMicrosPerMessage()), micros(remote.cpuMicrosPerMessage()) + " + " + micros(replaced.postfixMicros())
                + " = " + micros(chain), Benchmark.ratio(ours.cpuMicrosPerMessage(), chain), "≤ 0.25×"));
    }

    private void againstPostfix(String figure, Measurement james, Measurement postfix, String target) {
        rows.add(new Benchmark.Row(figure + ", 1 KB, N=" + n, Benchmark.rate(james),
                postfix == null ? "Postfix: not run" : "private Postfix: " + Benchmark.rate(postfix),
                postfix == null ? "" : Benchmark.ratio(james.perSecond(), postfix.perSecond()), target));
        rows.add(new Benchmark.Row("CPU per message, " + figure.replace("James end to end (SMTP in, LmtpDelivery, LMTP to the sink), ", "James, ")
                .replace("James end to end, ", "James, "), Benchmark.micros(james), postfix == null ? "" : Benchmark.micros(postfix),
                postfix == null ? "" : Benchmark.ratio(james.cpuMicrosPerMessage(), postfix.cpuMicrosPerMessage()), "≤ 1.0× (ours/Postfix)"));
    }

    private BenchmarkJames lmtpDelivery(String name, List<Module> overrides) throws Exception {
        return BenchmarkJames.withLmtpDelivery(fresh(name), "inet:127.0.0.1:" + sink.port(),
                Map.of("concurrency", Integer.toString(CONCURRENCY), "connectionCacheMaxIdle", Integer.toString(CONCURRENCY),
                        "outgoing", "bench-outgoing"), overrides);
    }

    private Path fresh(String name) throws IOException {
        Path dir = options.workDir().resolve(name);
        Processes.deleteTree(dir);
        return Files.createDirectories(dir);
    }

    private void warmUp(String what, int port, LongSupplier counted, PrivatePostfix mta) throws Exception {
        run(what + ", warm-up (not measured)", port, warmUp, counted, mta);
    }

    /** Postfix alone, fed as James is: its measurement's CPU is Postfix's, all of it. */
    private Measurement postfixAlone(int round, PrivatePostfix mta) throws Exception {
        Run run = once("Postfix alone", round, mta.smtpPort(), n, sink::count, mta);
        return new Measurement(n, run.james().wallNanos(), run.postfix().total(), 0, 0);
    }

    private Run once(String what, int round, int port, long messages, LongSupplier counted, PrivatePostfix mta) throws Exception {
        return run(what + ", round " + (round + 1) + " of " + options.rounds(), port, messages, counted, mta);
    }

    /**
     * Feeds {@code messages} to {@code port} and waits, bounded, until {@code counted} has grown by
     * as many (then for Postfix's queue to empty, when Postfix takes part).
     */
    private Run run(String what, int port, long messages, LongSupplier counted, PrivatePostfix mta) throws Exception {
        step++;
        log.printf("  [%d/%d] %s, N=%d%s%n", step, steps, what, messages, eta());
        long before = counted.getAsLong();
        long jvmBefore = Processes.jvmCpuNanos();
        PrivatePostfix.Cpu postfixBefore = mta == null ? null : mta.cpu();
        long start = System.nanoTime();
        feeder.run(port, 8, messages, 1024, false, false);
        long got = await(counted, before + messages) - before;
        long wall = System.nanoTime() - start;
        if (!sink.alive()) {
            throw new IOException("the sink (smtp-sink) exited during " + what + "; every later run would fail: see "
                    + options.workDir().resolve("smtp-sink.out"));
        }
        if (mta != null && !mta.awaitEmptyQueue(Duration.ofSeconds(60))) {
            failures.add(what + ": Postfix's queue still held mail 60 s after the sink counted it");
        }
        long jvm = Processes.jvmCpuNanos() - jvmBefore;
        PrivatePostfix.Cpu postfix = mta == null ? new PrivatePostfix.Cpu(-1, -1, -1) : mta.cpu().minus(postfixBefore);
        if (got != messages) {
            failures.add(what + ": counted " + got + " of " + messages);
        }
        messagesDone += messages;
        return new Run(new Measurement(messages, wall, jvm, 0, 0), postfix);
    }

    private long await(LongSupplier counted, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        long count = counted.getAsLong();
        while (count < expected && System.nanoTime() < deadline && sink.alive()) {
            Thread.sleep(20);
            count = counted.getAsLong();
        }
        return count;
    }

    /** {@code configurations} warm-ups of {@code warmUp} messages and {@code runs} measured runs of {@code n}. */
    private void plan(int configurations, int runs) {
        steps = configurations + runs;
        messagesPlanned = configurations * warmUp + runs * n;
    }

    /** Elapsed time and what is left at the pace so far; none before a measured run (a warm-up's pace is the JIT's). */
    private String eta() {
        if (messagesDone <= warmUp) {
            return "";
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        double left = elapsed / messagesDone * (messagesPlanned - messagesDone);
        return String.format(Locale.ROOT, " (%s elapsed, about %s left in James end to end)", minutes(elapsed), minutes(left));
    }

    private static String minutes(double seconds) {
        long s = Math.round(seconds);
        return s < 60 ? s + " s" : String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
    }

    private static String rateOnly(Measurement m) {
        return String.format(Locale.ROOT, "%,.0f msg/s", m.perSecond());
    }

    private static String micros(double value) {
        return value < 0 ? "CPU ?" : String.format(Locale.ROOT, "%.0f µs CPU/msg", value);
    }
}
