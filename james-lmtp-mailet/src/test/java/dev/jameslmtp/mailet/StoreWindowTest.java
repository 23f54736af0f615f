package dev.jameslmtp.mailet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.Response;

/**
 * Through the mailet, with two fake stores on loopback: the one that refuses with 421 gets fewer
 * sessions, then none until the probe, while the other keeps its window. The refusing store
 * holds each greeting until the test lets it answer, so that its sessions in flight are counted
 * exactly; every wait is bounded.
 */
class StoreWindowTest {

    /** Holds each greeting until {@link #answer} lets it reply 421 (or, once {@link #accepting}, 220 at once). */
    private static final class RefusingStore implements LmtpHandler {
        final AtomicInteger waiting = new AtomicInteger();
        final Semaphore answers = new Semaphore(0);
        volatile boolean accepting;

        @Override
        public Response greeting() {
            if (accepting) {
                return LmtpHandler.super.greeting();
            }
            waiting.incrementAndGet();
            try {
                answers.tryAcquire(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                waiting.decrementAndGet();
            }
            return accepting ? LmtpHandler.super.greeting() : Response.reply("421 4.3.2 fake.test Too busy, try later");
        }

        void answer(int sessions) {
            answers.release(sessions);
        }

        void accept() {
            accepting = true;
            answers.release(1000);
        }
    }

    private final RefusingStore refusingHandler = new RefusingStore();
    private final FakeLmtpServer refusing = FakeLmtpServer.start(refusingHandler);
    private final PerRecipientHandler healthyHandler = new PerRecipientHandler();
    private final FakeLmtpServer healthy = FakeLmtpServer.start(healthyHandler);
    private final RecordingMetricFactory metrics = new RecordingMetricFactory();
    private final FakeMailContext context = FakeMailContext.defaultContext();
    private LmtpDelivery mailet;

    @TempDir
    Path dir;

    @AfterEach
    void tearDown() {
        refusingHandler.accept();
        if (mailet != null) {
            mailet.shutdownGrace(Duration.ofMillis(100));
            mailet.destroy();
        }
        refusing.close();
        healthy.close();
    }

    private void start(Map<String, String> parameters) throws Exception {
        Path map = dir.resolve("transport");
        Files.writeString(map, "refusing.test inet:127.0.0.1:" + refusing.port() + "\nhealthy.test inet:127.0.0.1:" + healthy.port() + "\n");
        mailet = new LmtpDelivery(new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory(), Clock.systemUTC()), metrics,
                () -> "james.test", Clock.systemUTC(), LmtpDelivery.ConsumerMode.START);
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("lmtp").mailetContext(context)
                .setProperty("transportMap", map.toString())
                .setProperty("bounceProcessor", "bounces")
                .setProperty("journalDirectory", dir.resolve("journal").toString());
        parameters.forEach(config::setProperty);
        mailet.init(config.build());
    }

    private int gauge(String name, FakeLmtpServer server) {
        return metrics.countFor(name + "." + DeliveryMetrics.token("inet:127.0.0.1:" + server.port()));
    }

    private int delivered(FakeLmtpServer server) {
        return gauge(DeliveryMetrics.DELIVERED, server);
    }

    /** Nothing more happens for a moment (a negative check: what must not happen has had time to). */
    private static void settle() throws InterruptedException {
        Thread.sleep(500);
    }

    @Test
    void aStoreRefusingWith421ShouldGetFewerSessionsThenOnlyAProbeWhileAnotherStoreKeepsItsWindow() throws Exception {
        // the shortest delayTime delay, 2 s (+ up to 10 %), is the wait before a dead store's probe
        start(Map.of("delayTime", "2 seconds", "maxRetries", "10"));
        for (int i = 0; i < 12; i++) {
            mailet.service(TestMails.mail("alice@a.test", "r" + i + "@refusing.test"));
        }

        // the initial window: 5 sessions, of a concurrency of 10, and the 7 other mails wait
        await().atMost(Duration.ofSeconds(30)).until(() -> refusingHandler.waiting.get() == 5);
        settle();
        assertThat(refusing.connectionCount()).isEqualTo(5);
        assertThat(gauge(DeliveryMetrics.DESTINATION_WINDOW, refusing)).isEqualTo(5);

        // one 421: the window shrinks to the 4 still in flight, and no session takes the freed slot
        refusingHandler.answer(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> gauge(DeliveryMetrics.DESTINATION_WINDOW, refusing) == 4);
        settle();
        assertThat(refusing.connectionCount()).isEqualTo(5);
        assertThat(refusingHandler.waiting.get()).isEqualTo(4);

        // three more (windows 4, 3, 2): a failed pseudo-cohort, the store is dead
        refusingHandler.answer(3);
        await().atMost(Duration.ofSeconds(30)).until(() -> gauge(DeliveryMetrics.DESTINATION_DEAD, refusing) == 1);
        assertThat(gauge(DeliveryMetrics.DESTINATION_WINDOW, refusing)).isZero();
        refusingHandler.answer(1); // the last session begun before
        await().atMost(Duration.ofSeconds(30)).until(() -> refusingHandler.waiting.get() == 0 && refusing.connectionCount() == 5);

        // meanwhile the other store gets its mail, at its own window
        for (int i = 0; i < 10; i++) {
            mailet.service(TestMails.mail("alice@a.test", "h" + i + "@healthy.test"));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> delivered(healthy) == 10);
        assertThat(gauge(DeliveryMetrics.DESTINATION_DEAD, healthy)).isZero();
        assertThat(gauge(DeliveryMetrics.DESTINATION_WINDOW, healthy)).isGreaterThanOrEqualTo(5);

        // after the dead time, one probe and nothing beside it
        await().atMost(Duration.ofSeconds(30)).until(() -> refusingHandler.waiting.get() == 1);
        assertThat(refusing.connectionCount()).isEqualTo(6);
        settle();
        assertThat(refusing.connectionCount()).isEqualTo(6);
        assertThat(gauge(DeliveryMetrics.DESTINATION_DEAD, refusing)).isEqualTo(1);

        // the store comes back: the probe reaches it, the window starts again, every mail is delivered
        refusingHandler.accept();
        await().atMost(Duration.ofSeconds(60)).until(() -> delivered(refusing) == 12);
        assertThat(gauge(DeliveryMetrics.DESTINATION_DEAD, refusing)).isZero();
        assertThat(gauge(DeliveryMetrics.DESTINATION_WINDOW, refusing)).isGreaterThanOrEqualTo(5);
        assertThat(context.getSentMails()).isEmpty(); // nothing bounced
    }

    @Test
    void recipientRefusalsShouldNotShrinkTheWindow() throws Exception {
        healthyHandler.rcpt("unknown@healthy.test", "550 5.1.1 <unknown@healthy.test> User doesn't exist: unknown@healthy.test");
        healthyHandler.rcpt("full@healthy.test", "452 4.2.2 <full@healthy.test> Mailbox is full");
        start(Map.of("delayTime", "1 hour", "maxRetries", "3"));

        for (int i = 0; i < 10; i++) {
            mailet.service(TestMails.mail("alice@a.test", "unknown@healthy.test", "full@healthy.test"));
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> metrics.countFor(DeliveryMetrics.DEFERRED) == 10
                && metrics.countFor(DeliveryMetrics.BOUNCED) == 10);
        assertThat(gauge(DeliveryMetrics.DESTINATION_WINDOW, healthy)).isGreaterThanOrEqualTo(5);
        assertThat(gauge(DeliveryMetrics.DESTINATION_DEAD, healthy)).isZero();
    }
}
