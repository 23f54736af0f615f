package dev.jameslmtp.mailet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.jameslmtp.mailet.attempt.DeliveryMetrics;
import dev.jameslmtp.mailet.queue.DeliveryConsumer;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.Response;

/** One stuck store must not stop the others, whatever is queued ahead. */
class StalledStoreTest {

    /** Accepts connections and never says a word. */
    private final FakeLmtpServer stalled = FakeLmtpServer.start(new LmtpHandler() {
        @Override
        public Response greeting() {
            return Response.stall();
        }
    });
    /** Greets, then never answers MAIL: the session is open and held. */
    private final FakeLmtpServer stallsAtMail = FakeLmtpServer.start(new LmtpHandler() {
        @Override
        public Response mail(String args) {
            return Response.stall();
        }
    });
    private final PerRecipientHandler healthyHandler = new PerRecipientHandler();
    private final FakeLmtpServer healthy = FakeLmtpServer.start(healthyHandler);
    private final MemoryMailQueueFactory queues = new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory(), Clock.systemUTC());
    private final FakeMailContext context = FakeMailContext.defaultContext();
    private final RecordingMetricFactory metrics = new RecordingMetricFactory();
    private final List<LmtpDelivery> mailets = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void tearDown() {
        mailets.forEach(mailet -> mailet.shutdownGrace(Duration.ofMillis(100)));
        mailets.forEach(LmtpDelivery::destroy);
        stalled.close();
        stallsAtMail.close();
        healthy.close();
    }

    private LmtpDelivery mailet(Map<String, String> parameters) throws Exception {
        LmtpDelivery mailet = new LmtpDelivery(queues, metrics, () -> "james.test", Clock.systemUTC(), LmtpDelivery.ConsumerMode.START);
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("lmtp").mailetContext(context)
                .setProperty("bounceProcessor", "bounces")
                .setProperty("delayTime", "1 hour")
                .setProperty("maxRetries", "3");
        parameters.forEach(config::setProperty);
        mailet.init(config.build());
        mailets.add(mailet);
        return mailet;
    }

    private static int rcpts(FakeLmtpServer server) {
        int count = 0;
        for (int i = 0; i < server.connectionCount(); i++) {
            count += (int) server.commands(i).stream().filter(c -> c.startsWith("RCPT")).count();
        }
        return count;
    }

    @Test
    void healthyStoreShouldGetItsMailWhileThousandsOfMailsForAStalledStoreAreQueuedAhead() throws Exception {
        Path map = dir.resolve("transport");
        Files.writeString(map, "stalled.test inet:127.0.0.1:" + stalled.port() + "\nhealthy.test inet:127.0.0.1:" + healthy.port() + "\n");
        LmtpDelivery mailet = mailet(Map.of("transportMap", map.toString(), "concurrency", "2"));

        for (int i = 0; i < 2000; i++) {
            mailet.service(TestMails.mail("alice@a.test", "r" + i + "@stalled.test"));
        }
        mailet.service(TestMails.mail("alice@a.test", "bob@healthy.test"));

        await().atMost(Duration.ofSeconds(60)).until(() -> metrics.countFor(DeliveryMetrics.DELIVERED) == 1);
        assertThat(rcpts(healthy)).isEqualTo(1);
        assertThat(stalled.connectionCount()).isLessThanOrEqualTo(2);
    }

    @Test
    void concurrencyShouldBeSharedByEveryMailetDeliveringToTheSameDestination() throws Exception {
        String destination = "inet:127.0.0.1:" + stallsAtMail.port();
        LmtpDelivery first = mailet(Map.of("destination", destination, "concurrency", "2", "outgoing", "first"));
        LmtpDelivery second = mailet(Map.of("destination", destination, "concurrency", "2", "outgoing", "second"));

        for (int i = 0; i < 5; i++) {
            first.service(TestMails.mail("alice@a.test", "one" + i + "@b.test"));
            second.service(TestMails.mail("alice@a.test", "two" + i + "@b.test"));
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> metrics.countFor(DeliveryMetrics.DESTINATION_BUSY) >= 8);
        assertThat(stallsAtMail.connectionCount()).isEqualTo(2);
    }

    @Test
    void mailForABusyDestinationShouldWaitInTheBacklogInsteadOfCyclingThroughTheQueue() throws Exception {
        LmtpDelivery mailet = mailet(Map.of("destination", "inet:127.0.0.1:" + stallsAtMail.port(), "concurrency", "1"));

        for (int i = 0; i < 3; i++) {
            mailet.service(TestMails.mail("alice@a.test", "r" + i + "@b.test"));
        }

        // one attempt holds the only slot; the two others found the store busy once each
        await().atMost(Duration.ofSeconds(30)).until(() -> metrics.countFor(DeliveryMetrics.DESTINATION_BUSY) == 2);
        // put back on the queue, they would come off it again after 250 ms and be counted again
        Thread.sleep(1500);
        assertThat(metrics.countFor(DeliveryMetrics.DESTINATION_BUSY)).isEqualTo(2);
        assertThat(stallsAtMail.connectionCount()).isEqualTo(1);
    }

    @Test
    void mailBeyondTheBacklogShouldGoBackOnTheQueueSoThatAStalledStoreHoldsABoundedAmount() throws Exception {
        LmtpDelivery mailet = mailet(Map.of("destination", "inet:127.0.0.1:" + stalled.port(), "concurrency", "1"));
        int held = 1 + DeliveryConsumer.BACKLOG_PER_SLOT;

        for (int i = 0; i < held + 3; i++) {
            mailet.service(TestMails.mail("alice@a.test", "r" + i + "@b.test"));
        }

        // the three beyond the attempt and the backlog come off the queue again and again
        await().atMost(Duration.ofSeconds(30)).until(() -> metrics.countFor(DeliveryMetrics.DESTINATION_BUSY) > held + 3);
        assertThat(stalled.connectionCount()).isEqualTo(1);
    }
}
