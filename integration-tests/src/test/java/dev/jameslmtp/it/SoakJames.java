package dev.jameslmtp.it;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.google.inject.Module;

import dev.jameslmtp.demo.ActiveMQQueueModule;
import dev.jameslmtp.testing.RabbitMqServer;

/**
 * A James of the soak ({@link SoakRun}), in a JVM of its own so that it can be killed with
 * SIGKILL: its queues (spool and mailet queues) are James's persistent ActiveMQ queue (KahaDB
 * under the working directory), or James's RabbitMQ queue on a given RabbitMQ with the mails'
 * contents in {@link FileBlobStoreDAO} files under a directory that the soak's James JVMs share
 * ({@link RabbitMqQueueModule}). One LmtpDelivery for {@value #STORE_DOMAIN} (the real Dovecot) and
 * one for {@value #BOUNCE_DOMAIN} (the senders' domain: the DSNs go to a sink in the soak's own
 * JVM), both retrying every second, many times, so that a store down for a few seconds never
 * makes a bounce. Its LHLO name is {@code <working directory's name>.}{@value EmbeddedJames#LOCAL_DOMAIN},
 * which Dovecot writes in the {@code Received} header of every copy it stores: the copy tells
 * which node sent it. On RabbitMQ the store's LmtpDelivery logs its transcript, whose
 * {@code S: 250} lines show which recipients' replies a node had read before it was killed.
 *
 * <p>Child side ({@link #main}): arguments working directory, store destination, sink destination,
 * {@code keep} or {@code fresh}, then for RabbitMQ its AMQP URI, management URI, user, password
 * and the shared blob directory. Prints {@code SMTP <port>} once started; answers each line
 * {@code status} on its standard input with {@code STATUS <name>=<n> ...} (queue sizes as James
 * reads them, which on RabbitMQ are always 0; mails in the error repository; the mailet's
 * counters); stops (cleanly) when its standard input ends. Its log goes to its standard output,
 * which the parent side copies to a file per run.
 */
public final class SoakJames implements AutoCloseable {

    static final String STORE_DOMAIN = "example.test";
    static final String BOUNCE_DOMAIN = "bounces.test";
    static final String OUTGOING = "soak-outgoing";
    static final String BOUNCES = "soak-bounces";
    /**
     * System property: the store mailet's {@code journalStore} when set (default: the mailet's,
     * auto), e.g. {@code file} on RabbitMQ for a journal per node, which the other node does not read.
     */
    static final String JOURNAL_STORE = "soak.journalStore";
    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(30);

    /** James's RabbitMQ queue on {@code rabbit}, the mails' contents in files under {@code blobs}. */
    record OnRabbitMq(RabbitMqServer rabbit, Path blobs) {
        List<String> arguments() {
            return List.of(rabbit.amqpUri().toString(), rabbit.managementUri().toString(), rabbit.user(), rabbit.password(),
                    blobs.toString());
        }
    }

    private final Process child;
    private final Writer stdin;
    private final int smtpPort;
    private final BlockingQueue<String> statusLines;

    private SoakJames(Process child, int smtpPort, BlockingQueue<String> statusLines) {
        this.child = child;
        this.stdin = new BufferedWriter(new OutputStreamWriter(child.getOutputStream(), StandardCharsets.US_ASCII));
        this.smtpPort = smtpPort;
        this.statusLines = statusLines;
    }

    /**
     * Starts James in a child JVM on this class path, its output copied to {@code log}; waits
     * (bounded) until it listens. Its queues are ActiveMQ's unless {@code rabbitMq} is given.
     * {@code quickStart}: the client compiler only, which starts James sooner and runs it slower
     * (for short runs).
     */
    static SoakJames start(Path workDir, String store, String sink, boolean fresh, boolean quickStart, Path log,
                           Optional<OnRabbitMq> rabbitMq) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", quickStart ? "-XX:TieredStopAtLevel=1" : "-XX:+TieredCompilation", "-cp", System.getProperty("java.class.path"),
                "-Djames.exit.on.startup.error=false",
                "-Djames.lifecycle.leak.detection.mode=NONE",
                "-Dlogback.configurationFile=" + Path.of("src/test/resources/logback-soak.xml").toAbsolutePath(),
                "-D" + JOURNAL_STORE + "=" + System.getProperty(JOURNAL_STORE, ""),
                SoakJames.class.getName(), workDir.toString(), store, sink, fresh ? "fresh" : "keep"));
        rabbitMq.ifPresent(queues -> command.addAll(queues.arguments()));
        Process child = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .start();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        BlockingQueue<String> statusLines = new LinkedBlockingQueue<>();
        Thread pump = new Thread(() -> copy(child, log, port, statusLines), "soak-james-log");
        pump.setDaemon(true);
        pump.start();
        try {
            return new SoakJames(child, port.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS), statusLines);
        } catch (Exception e) {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
            throw new IllegalStateException("James did not start within " + START_TIMEOUT + "; see " + log, e);
        }
    }

    private static void copy(Process child, Path log, CompletableFuture<Integer> port, BlockingQueue<String> statusLines) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
             Writer file = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("SMTP ")) {
                    port.complete(Integer.parseInt(line.substring("SMTP ".length()).strip()));
                } else if (line.startsWith("STATUS ")) {
                    statusLines.add(line);
                }
                file.write(line);
                file.write('\n');
                file.flush();
            }
        } catch (IOException | RuntimeException e) {
            port.completeExceptionally(e);
        }
        port.completeExceptionally(new IllegalStateException("James ended before it listened"));
    }

    int smtpPort() {
        return smtpPort;
    }

    /** Queue sizes ({@code spool}, {@value #OUTGOING}, {@value #BOUNCES}), {@code errors}, counters; bounded wait. */
    Map<String, Long> status() throws IOException, InterruptedException {
        statusLines.clear();
        stdin.write("status\n");
        stdin.flush();
        String line = statusLines.poll(STATUS_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (line == null) {
            throw new IllegalStateException("James did not answer 'status' within " + STATUS_TIMEOUT);
        }
        Map<String, Long> status = new LinkedHashMap<>();
        for (String field : line.substring("STATUS ".length()).split(" ")) {
            int equals = field.indexOf('=');
            status.put(field.substring(0, equals), Long.parseLong(field.substring(equals + 1)));
        }
        return status;
    }

    /** SIGKILL, as a crash or the OOM killer; returns once the JVM is gone (bounded). */
    void kill() throws InterruptedException {
        child.destroyForcibly();
        if (!child.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("James still alive 30 s after SIGKILL");
        }
    }

    /** Stops James cleanly (end of its standard input), else kills it; bounded. */
    @Override
    public void close() {
        try {
            stdin.close();
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!child.waitFor(60, TimeUnit.SECONDS)) {
                child.destroyForcibly();
                child.waitFor(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            child.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * LmtpDelivery's parameters in the soak: retries every second for ten minutes; the LHLO name
     * tells the node; the journal where the mailet puts it by default ({@code journalStore} auto: in
     * files under James's working directory on ActiveMQ, in James's blob store on RabbitMQ, where the
     * nodes share it).
     */
    static Map<String, String> parameters(String destination, String queue, String lhloName) {
        Map<String, String> parameters = Lmtp.toDestination(destination);
        parameters.put("outgoing", queue);
        parameters.put("lhloName", lhloName);
        parameters.put("delayTime", "1 second");
        parameters.put("maxRetries", "600");
        parameters.put("dotTimeout", "30 seconds");
        return parameters;
    }

    /** The LHLO name of the James working in {@code workDir}. */
    static String lhloName(Path workDir) {
        return workDir.getFileName() + "." + EmbeddedJames.LOCAL_DOMAIN;
    }

    public static void main(String[] args) throws Exception {
        Path workDir = Path.of(args[0]);
        boolean onRabbitMq = args.length > 4;
        Map<String, String> toStore = parameters(args[1], OUTGOING, lhloName(workDir));
        if (onRabbitMq) {
            toStore.put("transcript", "true");
        }
        String journalStore = System.getProperty(JOURNAL_STORE, "");
        if (!journalStore.isEmpty()) {
            toStore.put("journalStore", journalStore);
        }
        Module queues = onRabbitMq
                ? new RabbitMqQueueModule(URI.create(args[4]), URI.create(args[5]), args[6], args[7], Optional.of(Path.of(args[8])))
                : new ActiveMQQueueModule();
        EmbeddedJames.Builder builder = EmbeddedJames.builder(workDir)
                .lmtpDelivery("HostIs=" + STORE_DOMAIN, toStore)
                .lmtpDelivery("HostIs=" + BOUNCE_DOMAIN, parameters(args[2], BOUNCES, lhloName(workDir)))
                .override(queues);
        try (EmbeddedJames james = ("keep".equals(args[3]) ? builder.keepingWorkDir() : builder).start()) {
            System.out.println("SMTP " + james.smtpPort());
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.equals("status")) {
                    System.out.println("STATUS spool=" + james.queueSize("spool") + " " + OUTGOING + "=" + james.queueSize(OUTGOING)
                            + " " + BOUNCES + "=" + james.queueSize(BOUNCES) + " errors=" + james.errorCount()
                            + " delivered=" + james.counter(Lmtp.DELIVERED) + " deferred=" + james.counter(Lmtp.DEFERRED)
                            + " bounced=" + james.counter(Lmtp.BOUNCED));
                    System.out.flush();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.exit(0);
    }
}
