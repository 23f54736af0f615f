package dev.jameslmtp.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The whole comparison in one run, on loopback: our client against {@code smtp-source -L} with
 * the same connections (1 and 8, 1 KB and 100 KB, and a new connection per message), James end to
 * end ({@link EndToEnd}: LmtpDelivery against a private Postfix, James's intake alone with
 * {@code Null}, and the topology LmtpDelivery replaces, James's RemoteDelivery relaying to that
 * Postfix; same feeder, {@code smtp-source -s 8}), heap growth for a
 * 50 MB message, the share of transactions on reused connections, and the {@code lmtp} command
 * from start to exit. {@code smtp-sink -L} is everybody's sink, pinned to one CPU; clients and
 * MTAs run on the other (the script pins this JVM). Each figure is the median of
 * {@code rounds} interleaved runs of ours and the reference, and every run checks that the sink
 * counted every message. Before its measured runs, each configuration of our client runs once
 * unmeasured (a fifth of N, at least 2000 messages), so that the JIT compilers, whose threads
 * count in this JVM's CPU time, have compiled its path; smtp-source is compiled ahead of time.
 * Then BDAT against DATA into a real Dovecot ({@link DovecotChunking}). Prints a Markdown table of
 * absolute figures and ratios.
 *
 * <p>Usage: {@code Benchmark [--scale=1.0] [--rounds=3] [--sink-cpu=0] [--client-cpu=1]
 * [--work=DIR] [--repository=DIR] [--no-end-to-end] [--no-command] [--no-dovecot] [--dovecot-only]}; {@code -Dbenchmark.only=PREFIX}
 * runs only the client figures whose name starts so (for profiling). Exit status 1 when a sink
 * check failed. Parts whose tools are missing (smtp-source, postfix as root) are skipped and
 * say so.
 */
public final class Benchmark {

    /** What to run, and how much. */
    public record Options(double scale, int rounds, String sinkCpu, String clientCpu, Path workDir, Path repository,
                          boolean endToEnd, boolean command, String dovecot) {

        static Options parse(String[] args) {
            Options o = new Options(1.0, 3, "0", "1", Path.of("target/benchmark"), Path.of(".."), true, true, "yes");
            for (String arg : args) {
                String[] kv = arg.split("=", 2);
                String v = kv.length > 1 ? kv[1] : "";
                o = switch (kv[0]) {
                    case "--scale" -> new Options(Double.parseDouble(v), o.rounds, o.sinkCpu, o.clientCpu, o.workDir, o.repository, o.endToEnd, o.command, o.dovecot);
                    case "--rounds" -> new Options(o.scale, Integer.parseInt(v), o.sinkCpu, o.clientCpu, o.workDir, o.repository, o.endToEnd, o.command, o.dovecot);
                    case "--sink-cpu" -> new Options(o.scale, o.rounds, v, o.clientCpu, o.workDir, o.repository, o.endToEnd, o.command, o.dovecot);
                    case "--client-cpu" -> new Options(o.scale, o.rounds, o.sinkCpu, v, o.workDir, o.repository, o.endToEnd, o.command, o.dovecot);
                    case "--work" -> new Options(o.scale, o.rounds, o.sinkCpu, o.clientCpu, Path.of(v), o.repository, o.endToEnd, o.command, o.dovecot);
                    case "--repository" -> new Options(o.scale, o.rounds, o.sinkCpu, o.clientCpu, o.workDir, Path.of(v), o.endToEnd, o.command, o.dovecot);
                    case "--no-end-to-end" -> new Options(o.scale, o.rounds, o.sinkCpu, o.clientCpu, o.workDir, o.repository, false, o.command, o.dovecot);
                    case "--no-command" -> new Options(o.scale, o.rounds, o.sinkCpu, o.clientCpu, o.workDir, o.repository, o.endToEnd, false, o.dovecot);
                    case "--no-dovecot" -> new Options(o.scale, o.rounds, o.sinkCpu, o.clientCpu, o.workDir, o.repository, o.endToEnd, o.command, "no");
                    case "--dovecot-only" -> new Options(o.scale, o.rounds, o.sinkCpu, o.clientCpu, o.workDir, o.repository, o.endToEnd, o.command, "only");
                    default -> throw new IllegalArgumentException("unknown option " + arg + " (see the class comment of Benchmark)");
                };
            }
            return o;
        }

        long n(long full) {
            return Math.max(8, Math.round(full * scale));
        }
    }

    /** One line of the table. */
    public record Row(String figure, String ours, String reference, String ratio, String target) {
    }

    /** The table, and the sink checks that failed. */
    public record Report(List<Row> rows, List<String> failures, List<String> notes) {

        public String markdown() {
            StringBuilder out = new StringBuilder("| figure | ours | reference | ratio | target |\n|---|---|---|---|---|\n");
            rows.forEach(r -> out.append("| ").append(r.figure()).append(" | ").append(r.ours()).append(" | ")
                    .append(r.reference()).append(" | ").append(r.ratio()).append(" | ").append(r.target()).append(" |\n"));
            notes.forEach(n -> out.append("\n").append(n));
            failures.forEach(f -> out.append("\nSINK CHECK FAILED: ").append(f));
            return out.toString();
        }
    }

    private final Options options;
    private final PrintStream log;
    private final List<Row> rows = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    private Benchmark(Options options, PrintStream log) {
        this.options = options;
        this.log = log;
    }

    public static void main(String[] args) {
        // RemoteDelivery's concurrency (James 3.8.1 ignores deliveryThreads): read once, when Reactor's Schedulers loads
        if (System.getProperty("reactor.schedulers.defaultBoundedElasticSize") == null) {
            System.setProperty("reactor.schedulers.defaultBoundedElasticSize", Integer.toString(EndToEnd.CONCURRENCY));
        }
        Report report;
        try {
            report = run(Options.parse(args), System.err);
        } catch (Exception | Error e) {
            e.printStackTrace();
            System.exit(2); // James leaves non-daemon threads behind
            return;
        }
        System.out.println();
        System.out.println("james-lmtp benchmark, " + LocalDate.now() + ", " + machine());
        System.out.println();
        System.out.println(report.markdown());
        System.exit(report.failures().isEmpty() ? 0 : 1);
    }

    public static Report run(Options options, PrintStream log) throws Exception {
        Files.createDirectories(options.workDir());
        Benchmark benchmark = new Benchmark(options, log);
        benchmark.runAll();
        return new Report(List.copyOf(benchmark.rows), List.copyOf(benchmark.failures), List.copyOf(benchmark.notes));
    }

    private void runAll() throws Exception {
        if (!options.dovecot().equals("only")) {
            againstTheSink();
            JournalCost.run(options, log, rows);
        }
        if (!options.dovecot().equals("no")) {
            DovecotChunking.run(options, log, rows, notes);
        }
    }

    private void againstTheSink() throws Exception {
        try (Sink sink = Sink.start(options.workDir(), options.sinkCpu())) {
            if (sink instanceof Sink.FakeSink) {
                notes.add("smtp-sink is not installed: the sink is FakeLmtpServer, and smtp-source figures are skipped.");
            }
            ClientLoad ours = new ClientLoad(sink.port());
            SmtpSource source = new SmtpSource(options.workDir(), options.clientCpu());
            ours.run(1, options.n(4000), Messages.of(1024), true); // warm-up: JIT
            long warmed = sink.count();
            if (warmed < options.n(4000)) {
                failures.add("warm-up: sink counted " + warmed + " of " + options.n(4000));
            }
            client(sink, ours, source, "1 connection reused, 1 KB", 1, 1024, options.n(20_000), true);
            client(sink, ours, source, "8 connections reused, 1 KB", 8, 1024, options.n(20_000), true);
            client(sink, ours, source, "1 connection reused, 100 KB", 1, 100 * 1024, options.n(2_000), true);
            client(sink, ours, source, "8 connections reused, 100 KB", 8, 100 * 1024, options.n(2_000), true);
            client(sink, ours, source, "new connection per message, 1 KB", 1, 1024, options.n(5_000), false);
            heap(sink);
            if (options.endToEnd()) {
                EndToEnd.run(options, log, sink, source, rows, failures, notes);
            }
            if (options.command()) {
                command(sink, source);
            }
        }
    }

    private void client(Sink sink, ClientLoad ours, SmtpSource source, String figure, int connections, int payload, long n,
                        boolean reuse) throws Exception {
        String only = System.getProperty("benchmark.only");
        if (only != null && !figure.startsWith(only)) {
            return;
        }
        log.printf("%s, N=%d ...%n", figure, n);
        byte[] message = Messages.of(payload);
        List<Measurement> mine = new ArrayList<>();
        List<Measurement> theirs = new ArrayList<>();
        long warmUp = Math.min(n, Math.max(options.n(2_000), n / 5));
        long warmed = sink.count();
        ours.run(connections, warmUp, message, reuse); // not measured: the JIT compiles this configuration's path
        check(sink, warmed, warmUp, figure + " (warm-up)");
        for (int round = 0; round < options.rounds(); round++) {
            long before = sink.count();
            mine.add(ours.run(connections, n, message, reuse));
            check(sink, before, n, figure + " (ours)");
            if (SmtpSource.available() && !(sink instanceof Sink.FakeSink)) {
                before = sink.count();
                theirs.add(source.run(sink.port(), connections, n, payload, true, reuse));
                check(sink, before, n, figure + " (smtp-source)");
            }
        }
        Measurement m = Measurement.median(mine);
        String reference = "smtp-source -L" + (reuse ? " -d" : "") + " -s " + connections;
        if (theirs.isEmpty()) {
            rows.add(new Row(figure + ", N=" + n, rate(m), reference + ": not run", "", "≥ 1.0×"));
        } else {
            Measurement t = Measurement.median(theirs);
            rows.add(new Row(figure + ", N=" + n, rate(m), reference + ": " + rate(t), ratio(m.perSecond(), t.perSecond())
                    + "; CPU " + ratio(m.cpuMicrosPerMessage(), t.cpuMicrosPerMessage()), "≥ 1.0×"));
        }
        if (reuse && connections == 8 && payload == 1024) {
            rows.add(new Row("share of transactions on reused connections (8 connections, steady load)",
                    String.format(Locale.ROOT, "%.2f %%", m.reuseShare().orElse(0) * 100), "", "", "≥ 99 %"));
        }
    }

    private void heap(Sink sink) throws Exception {
        long size = Math.max(1 << 20, Math.round(50L * 1024 * 1024 * Math.min(1.0, options.scale() * 10)));
        log.printf("heap, one %d-byte message ...%n", size);
        long before = sink.count();
        HeapProbe.Figure figure = HeapProbe.deliver(sink.port(), size);
        check(sink, before, 1, "large message");
        rows.add(new Row("heap growth, one " + size / (1024 * 1024) + " MB message through the client",
                String.format(Locale.ROOT, "%.2f MB allocated by the delivery in all (a bound on its growth); sampled heap in use"
                        + " peaked %.1f MB above the baseline (TLABs and other threads included)",
                        figure.allocatedBytes() / 1048576.0, figure.peakGrowthBytes() / 1048576.0),
                "", "", "≤ 2 MB"));
    }

    private void command(Sink sink, SmtpSource source) throws Exception {
        CommandTiming timing = new CommandTiming(options.repository(), options.workDir(), options.clientCpu());
        if (!timing.available()) {
            notes.add("lmtp command: skipped (build james-lmtp-cli first: target/lmtp.jar).");
            return;
        }
        log.println("lmtp command, one message ...");
        long before = sink.count();
        timing.once(sink.port()); // first run: creates the class-data sharing archive if missing
        List<Long> mine = new ArrayList<>();
        List<Long> theirs = new ArrayList<>();
        for (int round = 0; round < Math.max(3, options.rounds()); round++) {
            mine.add(timing.once(sink.port()));
            if (SmtpSource.available() && !(sink instanceof Sink.FakeSink)) {
                theirs.add(source.run(sink.port(), 1, 1, 1024, true, false).wallNanos());
            }
        }
        check(sink, before, 1 + mine.size() + theirs.size(), "lmtp command");
        double ours = median(mine) / 1e6;
        double reference = theirs.isEmpty() ? 0 : median(theirs) / 1e6;
        rows.add(new Row("lmtp command, one message, process start to exit", String.format(Locale.ROOT, "%.0f ms", ours),
                theirs.isEmpty() ? "" : String.format(Locale.ROOT, "smtp-source -L -m 1: %.0f ms", reference),
                theirs.isEmpty() ? "" : String.format(Locale.ROOT, "%.1f× slower", ours / reference), "≤ 300 ms"));
    }

    private void check(Sink sink, long before, long expected, String what) throws InterruptedException {
        long counted = sink.awaitCount(before + expected, Duration.ofSeconds(30)) - before;
        if (counted != expected) {
            failures.add(what + ": sink counted " + counted + " of " + expected);
        }
    }

    private static double median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get((sorted.size() - 1) / 2);
    }

    static String rate(Measurement m) {
        return String.format(Locale.ROOT, "%,.0f msg/s, %s", m.perSecond(), micros(m));
    }

    static String micros(Measurement m) {
        return m.cpuMicrosPerMessage() < 0 ? "CPU ?" : String.format(Locale.ROOT, "%.0f µs CPU/msg", m.cpuMicrosPerMessage());
    }

    static String ratio(double ours, double theirs) {
        return ours <= 0 || theirs <= 0 ? "?" : String.format(Locale.ROOT, "%.2f×", ours / theirs);
    }

    private static String machine() {
        String cpu = "?";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("?");
        } catch (IOException e) {
            // not Linux
        }
        long cpus = Runtime.getRuntime().availableProcessors();
        try {
            cpus = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("processor")).count();
        } catch (IOException e) {
            // not Linux: this JVM's count
        }
        return cpus + " CPUs (" + cpu + "), Java " + System.getProperty("java.version");
    }
}
