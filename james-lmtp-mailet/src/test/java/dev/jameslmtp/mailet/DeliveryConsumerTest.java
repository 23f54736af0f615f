package dev.jameslmtp.mailet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.mailet.attempt.DeliveryMetrics;
import dev.jameslmtp.testing.FakeLmtpServer;

/** The mailet with its queue consumer running, as inside James. */
class DeliveryConsumerTest {

    private final PerRecipientHandler handler = new PerRecipientHandler();
    private final FakeLmtpServer server = FakeLmtpServer.start(handler);
    private final RecordingMetricFactory metrics = new RecordingMetricFactory();
    private final FakeMailContext context = FakeMailContext.defaultContext();
    private LmtpDelivery mailet;

    @AfterEach
    void tearDown() {
        if (mailet != null) {
            mailet.destroy();
        }
        server.close();
    }

    private void start(String delayTime, String maxRetries) throws Exception {
        mailet = new LmtpDelivery(new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory(), Clock.systemUTC()), metrics,
                () -> "james.test", Clock.systemUTC(), LmtpDelivery.ConsumerMode.START);
        mailet.init(FakeMailetConfig.builder().mailetName("lmtp").mailetContext(context)
                .setProperty("destination", "inet:127.0.0.1:" + server.port())
                .setProperty("bounceProcessor", "bounces")
                .setProperty("delayTime", delayTime)
                .setProperty("maxRetries", maxRetries)
                .setProperty("concurrency", "2")
                .build());
    }

    @Test
    void consumerShouldDeliverQueuedMail() throws Exception {
        start("100ms", "3");

        mailet.service(TestMails.mail("alice@a.test", "bob@b.test", "carol@b.test"));

        await().atMost(Duration.ofSeconds(10)).until(() -> metrics.countFor(DeliveryMetrics.DELIVERED) == 2);
        assertThat(handler.dots.get()).isEqualTo(1);
        assertThat(context.getSentMails()).isEmpty();
    }

    @Test
    void consumerShouldRetryOnlyDeferredRecipientsAfterTheDelay() throws Exception {
        handler.afterDot("full@b.test", "452 4.2.2 Mailbox full");
        start("300ms", "3");

        mailet.service(TestMails.mail("alice@a.test", "bob@b.test", "full@b.test"));
        await().atMost(Duration.ofSeconds(10)).until(() -> metrics.countFor(DeliveryMetrics.DEFERRED) == 1);
        handler.acceptAll();

        await().atMost(Duration.ofSeconds(10)).until(() -> metrics.countFor(DeliveryMetrics.DELIVERED) == 2);
        assertThat(handler.dots.get()).isEqualTo(2);
        List<String> commands = server.commands(server.connectionCount() - 1); // the retry may reuse the cached connection
        int lastMail = -1;
        for (int i = 0; i < commands.size(); i++) {
            lastMail = commands.get(i).startsWith("MAIL") ? i : lastMail;
        }
        List<String> rcpts = commands.subList(lastMail, commands.size()).stream().filter(c -> c.startsWith("RCPT")).toList();
        assertThat(rcpts).containsExactly("RCPT TO:<full@b.test>");
        // the memory queue counts a mail in processing until it is acknowledged, after the attempt is counted
        await().atMost(Duration.ofSeconds(10)).until(() -> ((ManageableMailQueue) mailet.pipeline().queue()).getSize() == 0);
    }

    @Test
    void consumerShouldBounceAfterMaxRetries() throws Exception {
        handler.rcpt("full@b.test", "452 4.2.2 Mailbox full");
        start("50ms", "2");

        mailet.service(TestMails.mail("alice@a.test", "full@b.test"));

        await().atMost(Duration.ofSeconds(10)).until(() -> metrics.countFor(DeliveryMetrics.BOUNCED) == 1);
        // the attempt counts its outcomes before it carries them out: wait for the bounce itself
        await().atMost(Duration.ofSeconds(10)).until(() -> !context.getSentMails().isEmpty());
        assertThat(metrics.countFor(DeliveryMetrics.DEFERRED)).isEqualTo(2);
        assertThat(context.getSentMails()).singleElement().satisfies(bounce -> {
            assertThat(bounce.getState()).isEqualTo("bounces");
            assertThat(bounce.getRecipients()).containsExactly(new MailAddress("full@b.test"));
        });
    }
}
