package dev.jameslmtp.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

import dev.jameslmtp.testing.RabbitMqServer;

/**
 * The James nodes of a soak ({@link SoakRun}) and where their queues are. {@link SoakRun.Flavour#ACTIVEMQ}:
 * one node, {@code james}, on its persistent ActiveMQ queue. {@link SoakRun.Flavour#RABBITMQ}: two
 * nodes, {@code james-a} and {@code james-b}, on James's RabbitMQ queue on one private RabbitMQ
 * ({@link RabbitMqServer}, under {@code rabbitmq/}), the mails' contents in {@link FileBlobStoreDAO}
 * files under {@code blobs/}, which both read and write; both reach the store through one
 * {@link SoakKillTrap}, so that either can be killed mid-attempt. Each node works in a
 * directory named after it; each run of a node logs to {@code <node>-<run>.log} (ActiveMQ:
 * {@code james-<run>.log}).
 *
 * <p>Keeps every run of every node for the report ({@link #runs()}); {@link #queues()} reads the
 * queues as the flavour allows: James's sizes on ActiveMQ, RabbitMQ's ready and unacknowledged
 * messages of every James work and dead-letter queue on RabbitMQ (James reads 0 there), with each
 * node's error repository. {@link #close()} stops what it started, also after a failed start.
 */
final class SoakCluster implements AutoCloseable {

    private static final String WORK_QUEUES = RabbitMqServer.JAMES_PREFIX + "-workqueue-";
    private static final String DEAD_LETTERS = RabbitMqServer.JAMES_PREFIX + "-dead-letter-queue-";

    private final Path dir;
    private final String sink;
    private final boolean quickStart;
    private final List<String> names;
    private final SoakJames[] nodes;
    private final List<SoakReport.Run> runs = new ArrayList<>();
    private final int[] runCounts;
    private final Consumer<String> log;
    private String store;
    private Optional<SoakKillTrap> trap = Optional.empty();
    private RabbitMqServer rabbit;
    private Optional<SoakJames.OnRabbitMq> onRabbitMq = Optional.empty();

    private SoakCluster(SoakRun.Flavour flavour, Path dir, String sink, boolean quickStart, Consumer<String> log) {
        this.dir = dir;
        this.sink = sink;
        this.quickStart = quickStart;
        this.names = flavour.nodes();
        this.nodes = new SoakJames[names.size()];
        this.runCounts = new int[names.size()];
        this.log = log;
    }

    /** Starts the flavour's nodes (side by side), delivering to Dovecot on 127.0.0.1:{@code storePort} and DSNs to {@code sink}. */
    static SoakCluster start(SoakRun.Flavour flavour, Path dir, int storePort, String sink, boolean quickStart, Consumer<String> log)
            throws Exception {
        SoakCluster cluster = new SoakCluster(flavour, dir, sink, quickStart, log);
        try {
            if (flavour == SoakRun.Flavour.RABBITMQ) {
                cluster.rabbit = RabbitMqServer.start(dir.resolve("rabbitmq"));
                log.accept("RabbitMQ started in " + cluster.rabbit.startupTime().toMillis() + " ms");
                cluster.onRabbitMq = Optional.of(new SoakJames.OnRabbitMq(cluster.rabbit, Files.createDirectories(dir.resolve("blobs"))));
                cluster.trap = Optional.of(SoakKillTrap.open(storePort));
                cluster.store = cluster.trap.get().destination();
            } else {
                cluster.store = "inet:127.0.0.1:" + storePort;
            }
            List<CompletableFuture<SoakJames>> starting = new ArrayList<>();
            for (int node = 0; node < cluster.nodes.length; node++) {
                int n = node;
                starting.add(CompletableFuture.supplyAsync(() -> cluster.launch(n, true)));
            }
            Exception failure = null;
            for (int node = 0; node < cluster.nodes.length; node++) {
                try {
                    cluster.nodes[node] = starting.get(node).get(); // each start is bounded
                } catch (ExecutionException e) {
                    failure = e.getCause() instanceof Exception cause ? cause : e;
                }
            }
            if (failure != null) {
                throw failure;
            }
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    private SoakJames launch(int node, boolean fresh) {
        String name = names.get(node);
        Path logFile;
        long startMicros = System.currentTimeMillis() * 1000L;
        synchronized (this) {
            runCounts[node]++;
            logFile = dir.resolve(name + "-" + runCounts[node] + ".log");
            runs.add(new SoakReport.Run(name, logFile, startMicros, 0, ""));
        }
        try {
            return SoakJames.start(dir.resolve(name), store, sink, fresh, quickStart, logFile, onRabbitMq);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start " + name, e);
        }
    }

    int size() {
        return nodes.length;
    }

    String name(int node) {
        return names.get(node);
    }

    /** The trap in front of the store, on RabbitMQ. */
    Optional<SoakKillTrap> trap() {
        return trap;
    }

    /** The name {@code node} sends in {@code LHLO}. */
    String lhloName(int node) {
        return SoakJames.lhloName(dir.resolve(names.get(node)));
    }

    /** The SMTP port for the feeder's connection {@code connection}: its own node's, or, while that one is down, another's. */
    synchronized int smtpPort(int connection) {
        for (int i = 0; i < nodes.length; i++) {
            SoakJames node = nodes[(connection + i) % nodes.length];
            if (node != null) {
                return node.smtpPort();
            }
        }
        throw new IllegalStateException("no James node is up");
    }

    /** Nodes up now. */
    synchronized int up() {
        int up = 0;
        for (SoakJames node : nodes) {
            up += node != null ? 1 : 0;
        }
        return up;
    }

    /**
     * SIGKILL to {@code node}; its run is marked killed now, with the mail and user
     * ({@link SoakAttempts#key}) whose {@code 250} a trap let through to it ({@code ""}: none).
     */
    void kill(int node, String trappedRead) throws InterruptedException {
        SoakJames james;
        synchronized (this) {
            james = nodes[node];
            nodes[node] = null;
        }
        james.kill();
        long micros = System.currentTimeMillis() * 1000L;
        synchronized (this) {
            for (int k = runs.size() - 1; k >= 0; k--) {
                if (runs.get(k).node().equals(names.get(node))) {
                    runs.set(k, runs.get(k).killedAt(micros, trappedRead));
                    break;
                }
            }
        }
    }

    /** Starts {@code node} again on what it left in its working directory; waits (bounded) until it listens. */
    void restart(int node) {
        SoakJames james = launch(node, false);
        synchronized (this) {
            nodes[node] = james;
        }
    }

    /** Kills so far. */
    synchronized int kills() {
        return (int) runs.stream().filter(SoakReport.Run::killed).count();
    }

    synchronized List<SoakReport.Run> runs() {
        return List.copyOf(runs);
    }

    /**
     * Mails in each James queue and each node's error repository ({@value SoakReport#ERRORS} entries):
     * on ActiveMQ James's sizes of the spool and the two LmtpDelivery queues; on RabbitMQ the ready
     * and unacknowledged messages of every James work queue and dead-letter queue (the spool, the
     * LmtpDelivery queues and their wait queues), by queue name.
     */
    SortedMap<String, Long> queues() throws Exception {
        SortedMap<String, Long> queues = new TreeMap<>();
        for (int node = 0; node < nodes.length; node++) {
            Map<String, Long> status = nodes[node].status();
            queues.put(SoakReport.ERRORS + (nodes.length > 1 ? " " + names.get(node) : ""), status.get("errors"));
            if (rabbit == null) {
                List.of("spool", SoakJames.OUTGOING, SoakJames.BOUNCES).forEach(queue -> queues.put(queue, status.get(queue)));
            }
        }
        if (rabbit != null) {
            rabbit.queueDepths().forEach((name, depth) -> {
                if (name.startsWith(WORK_QUEUES)) {
                    queues.put(name.substring(WORK_QUEUES.length()), depth.ready() + depth.unacknowledged());
                } else if (name.startsWith(DEAD_LETTERS)) {
                    queues.put(name.substring(DEAD_LETTERS.length()) + " (dead letters)", depth.ready() + depth.unacknowledged());
                }
            });
        }
        return queues;
    }

    /** Stops every node (cleanly, else killed), the traps and RabbitMQ; bounded. */
    @Override
    public void close() {
        List<Thread> stopping = new ArrayList<>();
        synchronized (this) {
            for (int node = 0; node < nodes.length; node++) {
                SoakJames james = nodes[node];
                nodes[node] = null;
                if (james != null) {
                    Thread thread = new Thread(james::close, "soak-stop-" + names.get(node));
                    thread.start();
                    stopping.add(thread);
                }
            }
        }
        for (Thread thread : stopping) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        trap.ifPresent(SoakKillTrap::close);
        if (rabbit != null) {
            rabbit.close();
        }
        log.accept("James nodes, traps and queues stopped");
    }
}
