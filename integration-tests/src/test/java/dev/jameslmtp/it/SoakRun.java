package dev.jameslmtp.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

import dev.jameslmtp.demo.WorkDirectory;
import dev.jameslmtp.testing.DeliveryStatusNotification;
import dev.jameslmtp.testing.DovecotLmtpServer;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.Response;

/**
 * The soak under faults: {@code mails} mails through a real James with its persistent queue (a
 * child JVM, {@link SoakJames}) to a real Dovecot ({@link DovecotLmtpServer}, Maildir under
 * {@code dir}), while Dovecot is killed and restarted every few seconds ({@link SoakChaos}) and
 * James is killed (SIGKILL) and restarted {@code jamesKills} times, at even shares of the mails
 * handed over. DSNs go to a sink in this JVM. At the end {@link SoakReport} sets every stored copy
 * against James's logs and the DSNs. Everything lives under {@code dir}, on loopback; every wait
 * is bounded, and every process started is stopped, also on failure.
 */
final class SoakRun {

    /** What to run; {@code rate} in mails per second handed to James. */
    record Config(int mails, long seed, double rate, int jamesKills, Path dir, Duration feedTime, Duration drainTimeout) {

        /**
         * From system properties {@code soak.mails}, {@code soak.seed}, {@code soak.rate},
         * {@code soak.feedMinutes} (after that, no new mail is handed over: the run goes on with
         * the mails handed over so far) and {@code soak.drainMinutes}.
         */
        static Config fromProperties(int defaultMails, Path dir) {
            int mails = Integer.getInteger("soak.mails", defaultMails);
            long seed = Long.getLong("soak.seed", 20261207L);
            double rate = Double.parseDouble(System.getProperty("soak.rate", mails <= 1000 ? "30" : "50"));
            Duration feed = Duration.ofMinutes(Long.getLong("soak.feedMinutes", 10 + mails / 200));
            Duration drain = Duration.ofMinutes(Long.getLong("soak.drainMinutes", 3 + mails / 1000));
            return new Config(mails, seed, rate, 2, dir, feed, drain);
        }
    }

    private final Config config;
    private volatile List<SoakMail> mails;
    private final Queue<SoakReport.Dsn> dsns = new ConcurrentLinkedQueue<>();
    private final Set<String> namedInDsn = ConcurrentHashMap.newKeySet();
    private final List<SoakReport.Run> runs = new ArrayList<>();
    private final long started = System.nanoTime();
    private volatile String phase = "starting";

    SoakRun(Config config) {
        this.config = config;
        this.mails = SoakMail.generate(config.mails(), config.seed());
    }

    SoakReport run() throws Exception {
        Path dir = config.dir().toAbsolutePath().normalize();
        WorkDirectory.delete(dir);
        Files.createDirectories(dir);
        Thread feederThread = null;
        Thread chaosThread = null;
        SoakChaos chaos = null;
        SoakFeeder feeder = null;
        SoakProgress progress = null;
        SoakJames[] james = new SoakJames[1];
        try (FakeLmtpServer sink = FakeLmtpServer.start(dsnSink());
             DovecotLmtpServer dovecot = DovecotLmtpServer.start(dir.resolve("dovecot"))) {
            String sinkDestination = "inet:127.0.0.1:" + sink.port();
            SoakStore store = new SoakStore(dovecot, List.of("alice", "bob", SoakMail.OVER_QUOTA));
            try {
                log("soak: " + config.mails() + " mails, seed " + config.seed() + ", " + config.rate() + " mails/s, James kills "
                        + config.jamesKills() + ", under " + dir);
                james[0] = startJames(dir, dovecot.tcpDestination(), sinkDestination, true);
                feeder = new SoakFeeder(mails, config.rate(), 4, () -> james[0].smtpPort());
                chaos = new SoakChaos(dovecot, config.seed() + 1);
                progress = new SoakProgress(this, store, feeder, chaos);
                feederThread = start(feeder, "soak-feeder");
                chaosThread = start(chaos, "soak-chaos");
                progress.start(config.mails() <= 1000 ? Duration.ofSeconds(5) : Duration.ofSeconds(15));
                phase = "feeding";
                feed(feeder, feederThread, james, dir, dovecot.tcpDestination(), sinkDestination);
                phase = "draining, Dovecot still killed";
                awaitEveryFate(store, chaos, progress);
                chaos.stop();
                chaosThread.join(TimeUnit.SECONDS.toMillis(30));
                failIf(chaos.failure(), "killing and restarting Dovecot");
                phase = "settling, Dovecot left running";
                Map<String, Long> queues = awaitEmptyQueues(james[0], store, progress);
                phase = "checking";
                SoakReport report = SoakReport.of(mails, store.scan(), runs, List.copyOf(dsns));
                report.foreignFiles = store.foreign();
                report.dovecotKills = chaos.kills();
                report.jamesKills = runs.size() - 1;
                report.queues = queues;
                report.duration = elapsed();
                return report;
            } finally {
                if (progress != null) {
                    progress.stop();
                }
                if (chaos != null) {
                    chaos.stop();
                }
                stopThread(chaosThread);
                stopThread(feederThread);
                if (james[0] != null) {
                    james[0].close();
                }
            }
        }
    }

    /** Waits for the feeder, killing and restarting James at even shares of the mails handed over. */
    private void feed(SoakFeeder feeder, Thread feederThread, SoakJames[] james, Path dir, String store, String sink) throws Exception {
        long begin = System.nanoTime();
        long deadline = begin + config.feedTime().toNanos();
        boolean cut = false;
        while (feederThread.isAlive()) {
            if (System.nanoTime() > deadline && !cut) {
                feeder.stopFeeding();
                cut = true;
                log("feeding time " + format(config.feedTime()) + " is over: the run goes on with the " + feeder.handedOver()
                        + " mails handed over");
            }
            if (System.nanoTime() > deadline + TimeUnit.MINUTES.toNanos(2)) {
                throw new IllegalStateException("the feeder did not stop: " + feeder.handedOver() + " handed over");
            }
            int kills = runs.size() - 1;
            double share = (double) (kills + 1) / (config.jamesKills() + 1);
            if (kills < config.jamesKills() && !cut && (feeder.handedOver() >= share * config.mails()
                    || System.nanoTime() - begin >= share * config.feedTime().toNanos())) {
                Lock lock = feeder.lock().writeLock();
                lock.lock();
                try {
                    phase = "killing James";
                    james[0].kill();
                    SoakReport.Run last = runs.remove(runs.size() - 1);
                    runs.add(new SoakReport.Run(last.log(), last.startMicros(), true));
                    log("James killed (SIGKILL) after " + feeder.handedOver() + " mails handed over; starting it again");
                    james[0] = null;
                    james[0] = startJames(dir, store, sink, false);
                    feeder.reconnect();
                    phase = "feeding";
                } finally {
                    lock.unlock();
                }
            }
            feederThread.join(50);
        }
        failIf(feeder.failure(), "handing mail to James");
        if (feeder.handedOver() < mails.size()) {
            mails = List.copyOf(mails.subList(0, feeder.handedOver()));
        }
    }

    private SoakJames startJames(Path dir, String store, String sink, boolean fresh) throws Exception {
        Path log = dir.resolve("james-" + (runs.size() + 1) + ".log");
        long startMicros = System.currentTimeMillis() * 1000L;
        SoakJames james = SoakJames.start(dir.resolve("james"), store, sink, fresh, config.mails() <= 1000, log);
        runs.add(new SoakReport.Run(log, startMicros, false));
        return james;
    }

    /** Until every recipient has a copy or a DSN; bounded by the drain timeout. */
    private void awaitEveryFate(SoakStore store, SoakChaos chaos, SoakProgress progress) throws InterruptedException {
        long deadline = System.nanoTime() + config.drainTimeout().toNanos();
        while (System.nanoTime() < deadline && progress.settled(store.scan()) < config.mails()) {
            failIf(chaos.failure(), "killing and restarting Dovecot");
            Thread.sleep(1000);
        }
    }

    /** Until James's queues are empty and every recipient has a fate (bounded); the last sizes seen. */
    private Map<String, Long> awaitEmptyQueues(SoakJames james, SoakStore store, SoakProgress progress) throws Exception {
        long deadline = System.nanoTime() + config.drainTimeout().toNanos();
        Map<String, Long> status = james.status();
        while (System.nanoTime() < deadline) {
            status = james.status();
            boolean empty = status.get("spool") == 0 && status.get(SoakJames.OUTGOING) == 0 && status.get(SoakJames.BOUNCES) == 0;
            if (empty && progress.settled(store.scan()) == config.mails()) {
                Thread.sleep(2000); // anything still in flight would show in the queues now
                status = james.status();
                if (status.get("spool") == 0 && status.get(SoakJames.OUTGOING) == 0 && status.get(SoakJames.BOUNCES) == 0) {
                    break;
                }
            }
            Thread.sleep(1000);
        }
        log("James at the end: " + status);
        return Map.of("spool", status.get("spool"), SoakJames.OUTGOING, status.get(SoakJames.OUTGOING),
                SoakJames.BOUNCES, status.get(SoakJames.BOUNCES), "errors", status.get("errors"));
    }

    /** The DSN sink: accepts everything and keeps, per DSN, the mail it reports on and the recipients it names. */
    private LmtpHandler dsnSink() {
        return new LmtpHandler() {
            @Override
            public List<Response> afterDot(List<String> acceptedRcptArgs, byte[] body) {
                List<Response> replies = new ArrayList<>();
                for (String rcpt : acceptedRcptArgs) {
                    int mail = SoakMail.numberInSender(LmtpHandler.path(rcpt));
                    try {
                        DeliveryStatusNotification dsn = DeliveryStatusNotification.parse(FakeLmtpServer.unstuff(body));
                        List<String> named = dsn.perRecipient().stream()
                                .map(fields -> fields.getOrDefault("Final-Recipient", "").replaceFirst("(?i)^rfc822;\\s*", "").strip())
                                .toList();
                        dsns.add(new SoakReport.Dsn(mail, named));
                        named.forEach(recipient -> namedInDsn.add(SoakAttempts.key(mail, recipient)));
                        replies.add(Response.reply("250 2.0.0 <" + LmtpHandler.path(rcpt) + "> Saved"));
                    } catch (Exception e) {
                        replies.add(Response.reply("554 5.6.0 not a DSN: " + e.getClass().getSimpleName()));
                    }
                }
                return replies;
            }
        };
    }

    List<SoakMail> mails() {
        return mails;
    }

    int dsnCount() {
        return dsns.size();
    }

    /** Whether the sink holds a DSN of {@code mail} naming {@code recipient}. */
    boolean inDsn(int mail, String recipient) {
        return namedInDsn.contains(SoakAttempts.key(mail, recipient));
    }

    String phase() {
        return phase;
    }

    int jamesKills() {
        return Math.max(0, runs.size() - 1);
    }

    Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - started);
    }

    /** One line on standard output and in {@code progress.log} under the soak's directory. */
    synchronized void log(String line) {
        String stamped = LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + " " + line;
        System.out.println(stamped);
        try {
            Files.writeString(config.dir().toAbsolutePath().resolve("progress.log"), stamped + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String format(Duration duration) {
        long seconds = duration.toSeconds();
        return seconds >= 3600 ? String.format("%dh%02dm%02ds", seconds / 3600, seconds / 60 % 60, seconds % 60)
                : String.format("%dm%02ds", seconds / 60, seconds % 60);
    }

    private static Thread start(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void stopThread(Thread thread) throws InterruptedException {
        if (thread != null && thread.isAlive()) {
            thread.interrupt();
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
    }

    private static void failIf(Throwable failure, String what) {
        if (failure != null) {
            throw new IllegalStateException("soak failed while " + what + ": " + failure, failure);
        }
    }
}
