package dev.jameslmtp.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.demo.WorkDirectory;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.RabbitMqServer;

/**
 * One dead store does not hold up another on James's RabbitMQ queue: 50 mails for a store that
 * accepts connections and never greets, queued first, then one mail for a healthy store. The
 * healthy store gets its mail within seconds, and the mail for the dead store waits without a
 * busy loop: the mailet's queues see a bounded number of enqueues per second. With James's
 * default prefetch of 5, the healthy mail used to wait behind the dead store's (99 s with a
 * 10-second {@code lhloTimeout}); with a prefetch of 100, the mail beyond the backlog was put back
 * and handed out again at once, about 117 times a second.
 */
class StalledStoreOnRabbitMqTest {

    private static final Logger LOGGER = LoggerFactory.getLogger(StalledStoreOnRabbitMqTest.class);
    private static final String QUEUE = "lmtp-stalled";
    private static final int STALLED_MAILS = 50;
    /** The mailet's queue and its wait queues with {@code delayTime} 1 minute: the busy step (5 s) and the retry step. */
    private static final List<String> QUEUES = List.of(QUEUE, QUEUE + "-wait-5s", QUEUE + "-wait-60s");

    private RabbitMqServer rabbit;
    private ServerSocket silent;
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private Thread accepting;

    @BeforeEach
    void start() throws IOException {
        rabbit = RabbitMqServer.start(WorkDirectory.of(getClass(), "rabbitmq"));
        silent = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        accepting = new Thread(() -> {
            while (!silent.isClosed()) {
                try {
                    held.add(silent.accept()); // accepted, never greeted
                } catch (IOException e) {
                    return;
                }
            }
        }, "silent-store");
        accepting.setDaemon(true);
        accepting.start();
    }

    @AfterEach
    void stop() throws Exception {
        silent.close();
        for (Socket socket : held) {
            socket.close();
        }
        accepting.join(5_000);
        rabbit.close();
    }

    @Test
    void mailForAHealthyStoreShouldNotWaitBehindADeadStoresAndTheDeadStoresMailShouldNotLoop() throws Exception {
        try (FakeLmtpServer healthy = FakeLmtpServer.start(LmtpHandler.defaults())) {
            Path transportMap = WorkDirectory.of(getClass(), "transport");
            Files.createDirectories(transportMap.getParent());
            Files.writeString(transportMap, "dead.test inet:127.0.0.1:" + silent.getLocalPort() + "\n"
                    + "healthy.test inet:127.0.0.1:" + healthy.port() + "\n");
            Map<String, String> parameters = Lmtp.parameters("transportMap", transportMap.toString());
            parameters.put("outgoing", QUEUE);
            parameters.put("concurrency", "2");
            parameters.put("lhloTimeout", "10 seconds");
            parameters.put("delayTime", "1 minute");
            try (EmbeddedJames james = EmbeddedJames.builder(WorkDirectory.of(getClass(), "james"))
                    .lmtpDelivery("HostIs=dead.test,healthy.test", parameters)
                    .override(new RabbitMqQueueModule(rabbit.amqpUri(), rabbit.managementUri(), rabbit.user(), rabbit.password(),
                            Optional.empty()))
                    .start()) {
                for (int i = 0; i < STALLED_MAILS; i++) {
                    james.send(EmbeddedJames.SENDER, List.of("user" + i + "@dead.test"),
                            TestMessage.create(EmbeddedJames.SENDER, List.of("user" + i + "@dead.test"), "dead-" + i).text());
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> james.counter("enqueuedMail:" + QUEUE) >= STALLED_MAILS);
                long queued = enqueued(james);
                Instant queuedAt = Instant.now();
                await().atMost(Duration.ofSeconds(30)).until(() -> held.size() >= 2);

                TestMessage message = TestMessage.create(EmbeddedJames.SENDER, List.of("bob@healthy.test"), "healthy");
                Instant sent = Instant.now();
                james.send(EmbeddedJames.SENDER, List.of("bob@healthy.test"), message.text());
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                        .until(() -> !message.copiesIn(bodies(healthy)).isEmpty());
                Duration waited = Duration.between(sent, Instant.now());

                // the dead store's first attempts time out (10 s), it is marked dead, its probe is a minute later
                Thread.sleep(Duration.ofSeconds(50).minus(Duration.between(queuedAt, Instant.now())).toMillis());
                long enqueues = enqueued(james) - queued - 1;
                LOGGER.info("healthy mail delivered {} ms after it was sent; {} enqueues of the dead store's mail in the 50 s after it"
                        + " was queued, on {}; sessions opened to the dead store: {}", waited.toMillis(), enqueues, QUEUES, held.size());

                assertThat(message.copiesIn(bodies(healthy))).hasSize(1);
                assertThat(enqueues).as("enqueues in 50 s while the dead store's 50 mails wait (a busy loop makes thousands)")
                        .isLessThan(6 * STALLED_MAILS);
                assertThat(held.size()).as("sessions opened to the dead store: its window, not one per mail").isLessThan(STALLED_MAILS);
            }
        }
    }

    private long enqueued(EmbeddedJames james) {
        return QUEUES.stream().mapToLong(queue -> james.counter("enqueuedMail:" + queue)).sum();
    }

    private static List<byte[]> bodies(FakeLmtpServer store) {
        List<byte[]> bodies = new ArrayList<>();
        for (int connection = 0; connection < store.connectionCount(); connection++) {
            bodies.addAll(store.bodies(connection));
        }
        return bodies;
    }
}
