package dev.jameslmtp.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import dev.jameslmtp.client.Content;
import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.Envelope;
import dev.jameslmtp.client.LmtpClient;
import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.pool.ConnectionPool;
import dev.jameslmtp.client.pool.PoolLimits;
import dev.jameslmtp.client.pool.PooledDelivery;
import dev.jameslmtp.client.session.Timeouts;

/**
 * Our client under load: {@code connections} threads deliver {@code messages} messages between
 * them through one {@link ConnectionPool} (as the mailet does), each transaction one sender and
 * one recipient; with {@code reuse} false every message has a connection of its own (QUIT after
 * each, as {@code smtp-source} without {@code -d}). Measures this JVM's CPU time.
 */
final class ClientLoad {

    private final Destination sink;
    private final LmtpClient client = LmtpClient.builder().lhloName("bench.localdomain")
            .timeouts(Timeouts.defaults().withAll(Duration.ofSeconds(60))).build();

    ClientLoad(int sinkPort) {
        this.sink = Destination.parse("inet:[127.0.0.1]:" + sinkPort);
    }

    Measurement run(int connections, long messages, byte[] message, boolean reuse) throws InterruptedException {
        ConnectionPool pool = ConnectionPool.create();
        pool.retain();
        AtomicLong transactions = new AtomicLong();
        AtomicLong reused = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        PoolLimits limits = reuse
                ? new PoolLimits(true, PoolLimits.DEFAULT_IDLE_TIME, PoolLimits.DEFAULT_REUSE_TIME, 0, connections)
                : PoolLimits.disabled();
        PooledDelivery delivery = new PooledDelivery(pool, limits, onReused -> {
            transactions.incrementAndGet();
            if (onReused) {
                reused.incrementAndGet();
            }
        });
        Content content = Content.of(message);
        Envelope envelope = Envelope.of("sender@sender.test", "user@store.test");
        List<Thread> threads = new ArrayList<>();
        long cpu = Processes.jvmCpuNanos();
        long start = System.nanoTime();
        for (int t = 0; t < connections; t++) {
            long share = messages / connections + (t < messages % connections ? 1 : 0);
            Thread thread = new Thread(() -> {
                for (long i = 0; i < share; i++) {
                    DeliveryResult result = delivery.deliver(client, sink, envelope, content);
                    if (!result.allDelivered()) {
                        failed.incrementAndGet();
                    }
                }
            }, "bench-client-" + t);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        long wall = System.nanoTime() - start;
        long cpuUsed = Processes.jvmCpuNanos() - cpu;
        pool.release();
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " of " + messages + " messages were not delivered to the sink");
        }
        return new Measurement(messages, wall, cpuUsed, transactions.get(), reused.get());
    }
}
