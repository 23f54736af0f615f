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
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Lock;

import dev.jameslmtp.demo.WorkDirectory;
import dev.jameslmtp.testing.DeliveryStatusNotification;
import dev.jameslmtp.testing.DovecotLmtpServer;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.Response;

/**
 * The soak under faults: {@code mails} mails through real James nodes with persistent queues
 * ({@link SoakCluster}: one James on ActiveMQ, or two on one RabbitMQ; child JVMs,
 * {@link SoakJames}) to a real Dovecot ({@link DovecotLmtpServer}, Maildir under {@code dir}),
 * while Dovecot is killed and restarted every few seconds ({@link SoakChaos}) and James nodes are
 * killed (SIGKILL) and restarted {@code jamesKills} times, at even shares of the mails handed over.
 * On ActiveMQ the one James is killed between two SMTP transactions. On RabbitMQ the nodes are
 * killed in turn, each mid-attempt: the {@link SoakKillTrap} in front of the store lets one
 * recipient's {@code 250} after the data through to that node and holds the other replies, and
 * the node is killed a second later, while it waits for them with the mail unacknowledged; the
 * other node takes that mail (and the new mail) meanwhile. DSNs go to a sink in this JVM. At the end {@link SoakReport} sets every stored copy
 * against James's logs and the DSNs. Everything lives under {@code dir}, on loopback; every wait
 * is bounded, and every process started is stopped, also on failure.
 */
final class SoakRun {

    /** Where James's queues are, and so how many James nodes run. */
    enum Flavour {
        /** One James, {@code james}, on its persistent ActiveMQ queue. */
        ACTIVEMQ(List.of("james")),
        /** Two James nodes, {@code james-a} and {@code james-b}, on James's RabbitMQ queue on one RabbitMQ, sharing blobs. */
        RABBITMQ(List.of("james-a", "james-b"));

        private final List<String> nodes;

        Flavour(List<String> nodes) {
            this.nodes = nodes;
        }

        List<String> nodes() {
            return nodes;
        }
    }

    /** What to run; {@code rate} in mails per second handed to James. */
    record Config(Flavour flavour, int mails, long seed, double rate, int jamesKills, Path dir, Duration feedTime, Duration drainTimeout) {

        /**
         * From system properties {@code soak.mails}, {@code soak.seed}, {@code soak.rate},
         * {@code soak.feedMinutes} (after that, no new mail is handed over: the run goes on with
         * the mails handed over so far) and {@code soak.drainMinutes}. Short runs on RabbitMQ are
         * fed slower (15 mails a second), so that the second node is killed while mail still
         * comes: a node takes half a minute to start again after its kill.
         */
        static Config fromProperties(Flavour flavour, int defaultMails, Path dir) {
            int mails = Integer.getInteger("soak.mails", defaultMails);
            long seed = Long.getLong("soak.seed", 20261207L);
            String shortRunRate = flavour == Flavour.RABBITMQ ? "15" : "30";
            double rate = Double.parseDouble(System.getProperty("soak.rate", mails <= 1000 ? shortRunRate : "50"));
            Duration feed = Duration.ofMinutes(Long.getLong("soak.feedMinutes", 10 + mails / 200));
            Duration drain = Duration.ofMinutes(Long.getLong("soak.drainMinutes", 3 + mails / 1000));
            return new Config(flavour, mails, seed, rate, 2, dir, feed, drain);
        }
    }

    /** How long a trap may wait for its chance (a 250 with more replies to come) before the node is killed anyway. */
    private static final Duration TRAP_WAIT = Duration.ofSeconds(30);
    /**
     * From the trap's 250 to the kill: time for the node to read it and write it in its journal (at
     * once); it then waits for the held replies. The report takes that 250 as in the node's journal.
     */
    private static final Duration TRAP_TO_KILL = Duration.ofSeconds(1);

    private final Config config;
    private volatile List<SoakMail> mails;
    private final Queue<SoakReport.Dsn> dsns = new ConcurrentLinkedQueue<>();
    private final Set<String> namedInDsn = ConcurrentHashMap.newKeySet();
    private final List<String> kills = new ArrayList<>();
    private volatile SoakCluster cluster;
    private volatile int midAttemptKills;
    private final long started = System.nanoTime();
    private volatile String phase = "starting";

    SoakRun(Config config) {
        this.config = config;
        this.mails = SoakMail.generate(config.mails(), config.seed(), config.flavour() == Flavour.RABBITMQ);
    }

    SoakReport run() throws Exception {
        Path dir = config.dir().toAbsolutePath().normalize();
        WorkDirectory.delete(dir);
        Files.createDirectories(dir);
        Thread feederThread = null;
        Thread chaosThread = null;
        SoakChaos chaos = null;
        SoakProgress progress = null;
        try (FakeLmtpServer sink = FakeLmtpServer.start(dsnSink());
             DovecotLmtpServer dovecot = DovecotLmtpServer.start(dir.resolve("dovecot"))) {
            SoakStore store = new SoakStore(dovecot, List.of("alice", "bob", SoakMail.OVER_QUOTA));
            log("soak: " + config.mails() + " mails, seed " + config.seed() + ", " + config.rate() + " mails/s, James on "
                    + config.flavour().name().toLowerCase(Locale.ROOT) + " " + config.flavour().nodes() + ", James kills "
                    + config.jamesKills() + ", under " + dir);
            try (SoakCluster cluster = SoakCluster.start(config.flavour(), dir, dovecot.tcpPort(), "inet:127.0.0.1:" + sink.port(),
                    config.mails() <= 1000, this::log)) {
                try {
                    this.cluster = cluster;
                    SoakFeeder feeder = new SoakFeeder(mails, config.rate(), 4, cluster::smtpPort);
                    chaos = new SoakChaos(dovecot, config.seed() + 1);
                    progress = new SoakProgress(this, store, feeder, chaos);
                    feederThread = start(feeder, "soak-feeder");
                    chaosThread = start(chaos, "soak-chaos");
                    progress.start(config.mails() <= 1000 ? Duration.ofSeconds(5) : Duration.ofSeconds(15));
                    phase = "feeding";
                    feed(feeder, feederThread, cluster);
                    phase = "draining, Dovecot still killed";
                    awaitEveryFate(store, chaos, progress);
                    chaos.stop();
                    chaosThread.join(TimeUnit.SECONDS.toMillis(30));
                    failIf(chaos.failure(), "killing and restarting Dovecot");
                    phase = "settling, Dovecot left running";
                    SortedMap<String, Long> queues = awaitEmptyQueues(cluster, store, progress);
                    phase = "checking";
                    SoakReport report = SoakReport.of(mails, store.scan(), cluster.runs(), List.copyOf(dsns));
                    report.foreignFiles = store.foreign();
                    report.dovecotKills = chaos.kills();
                    report.jamesKills = cluster.kills();
                    report.kills.addAll(kills);
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
                }
            }
        }
    }

    /**
     * Waits for the feeder, killing James nodes in turn (and starting them again) at even shares of
     * the mails handed over; a kill still due when every mail is handed over (the restart before
     * it took longer than the feed) comes at once, while the nodes deliver what they have.
     */
    private void feed(SoakFeeder feeder, Thread feederThread, SoakCluster cluster) throws Exception {
        long begin = System.nanoTime();
        long deadline = begin + config.feedTime().toNanos();
        boolean cut = false;
        while (feederThread.isAlive() || (cluster.kills() < config.jamesKills() && !cut && feeder.failure() == null)) {
            if (System.nanoTime() > deadline && !cut) {
                feeder.stopFeeding();
                cut = true;
                log("feeding time " + format(config.feedTime()) + " is over: the run goes on with the " + feeder.handedOver()
                        + " mails handed over");
            }
            if (System.nanoTime() > deadline + TimeUnit.MINUTES.toNanos(2)) {
                throw new IllegalStateException("the feeder did not stop: " + feeder.handedOver() + " handed over");
            }
            int killed = cluster.kills();
            double share = (double) (killed + 1) / (config.jamesKills() + 1);
            if (killed < config.jamesKills() && !cut && (!feederThread.isAlive() || feeder.handedOver() >= share * config.mails()
                    || System.nanoTime() - begin >= share * config.feedTime().toNanos())) {
                killAndRestart(killed % cluster.size(), feeder, cluster);
            }
            feederThread.join(50);
        }
        failIf(feeder.failure(), "handing mail to James");
        if (feeder.handedOver() < mails.size()) {
            mails = List.copyOf(mails.subList(0, feeder.handedOver()));
        }
    }

    /**
     * Kills {@code node} with SIGKILL between two SMTP transactions (the feeder's write lock) and
     * starts it again; the feeder's connections move to the nodes up. With a trap, the kill waits
     * (bounded) for the trap to catch the node mid-attempt. With no other node up, the restart
     * happens under the lock (nothing is handed over meanwhile).
     */
    private void killAndRestart(int node, SoakFeeder feeder, SoakCluster cluster) throws Exception {
        String name = cluster.name(node);
        String how = "between two SMTP transactions";
        String trappedRead = "";
        Optional<SoakKillTrap> trap = cluster.trap();
        if (trap.isPresent()) {
            phase = "waiting to catch " + name + " mid-attempt";
            try {
                SoakKillTrap.Caught caught = trap.get().arm(cluster.lhloName(node)).get(TRAP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                Thread.sleep(TRAP_TO_KILL.toMillis());
                how = "mid-attempt, " + TRAP_TO_KILL.toMillis() + " ms after its trap caught it: " + caught;
                trappedRead = caught.recipient().contains("@")
                        ? SoakAttempts.key(SoakMail.numberInSender(caught.sender()), SoakMail.user(caught.recipient())) : "";
                midAttemptKills++;
            } catch (TimeoutException e) {
                trap.get().disarm();
                how = "without its trap, which found no 250 with more replies to come in " + format(TRAP_WAIT);
            }
        }
        Lock lock = feeder.lock().writeLock();
        lock.lock();
        try {
            phase = "killing " + name;
            cluster.kill(node, trappedRead);
            feeder.reconnect();
            kills.add(name + " " + how + ", after " + feeder.handedOver() + " mails handed over");
            log(name + " killed (SIGKILL) " + how + ", after " + feeder.handedOver() + " mails handed over; starting it again");
            if (cluster.up() == 0) {
                cluster.restart(node);
                feeder.reconnect();
            }
        } finally {
            lock.unlock();
        }
        if (cluster.up() < cluster.size()) {
            phase = "feeding, " + name + " starting again";
            cluster.restart(node);
            feeder.reconnect();
            log(name + " started again");
        }
        phase = "feeding";
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
    private SortedMap<String, Long> awaitEmptyQueues(SoakCluster cluster, SoakStore store, SoakProgress progress) throws Exception {
        long deadline = System.nanoTime() + config.drainTimeout().toNanos();
        SortedMap<String, Long> queues = cluster.queues();
        while (System.nanoTime() < deadline) {
            queues = cluster.queues();
            if (empty(queues) && progress.settled(store.scan()) == config.mails()) {
                Thread.sleep(2000); // anything still in flight would show in the queues now
                queues = cluster.queues();
                if (empty(queues)) {
                    break;
                }
            }
            Thread.sleep(1000);
        }
        log("James at the end: " + queues);
        return queues;
    }

    /** Whether every queue is empty (the error repositories are the report's to judge, not something to wait for). */
    private static boolean empty(Map<String, Long> queues) {
        return queues.entrySet().stream().allMatch(queue -> queue.getKey().startsWith(SoakReport.ERRORS) || queue.getValue() == 0);
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
        SoakCluster running = cluster;
        return running == null ? 0 : running.kills();
    }

    /** Kills that the trap placed mid-attempt. */
    int midAttemptKills() {
        return midAttemptKills;
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
