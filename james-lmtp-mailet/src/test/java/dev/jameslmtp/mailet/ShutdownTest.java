package dev.jameslmtp.mailet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.mailet.attempt.DeliveryMetrics;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.Response;

/** destroy() while attempts are in flight: each recipient keeps exactly one fate, none is lost. */
class ShutdownTest {

    private final AtomicInteger dots = new AtomicInteger();
    /** Delivers the first recipient after the dot, then never answers for the others. */
    private final FakeLmtpServer server = FakeLmtpServer.start(new LmtpHandler() {
        @Override
        public List<Response> afterDot(List<String> acceptedRcptArgs, byte[] body) {
            dots.incrementAndGet();
            return List.of(Response.reply("250 2.0.0 Saved"), Response.stall());
        }
    });
    private final MemoryMailQueueFactory queues = new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory(), Clock.systemUTC());
    private final FakeMailContext context = FakeMailContext.defaultContext();
    private final RecordingMetricFactory metrics = new RecordingMetricFactory();
    private LmtpDelivery mailet;

    @AfterEach
    void tearDown() {
        server.close();
    }

    @Test
    void destroyShouldEndAnAttemptStalledAfterTheDotWithTheUnansweredRecipientsBackOnTheQueue() throws Exception {
        mailet = new LmtpDelivery(queues, metrics, () -> "james.test", Clock.systemUTC(), LmtpDelivery.ConsumerMode.START);
        mailet.init(FakeMailetConfig.builder().mailetName("lmtp").mailetContext(context)
                .setProperty("destination", "inet:127.0.0.1:" + server.port())
                .setProperty("delayTime", "1 hour")
                .setProperty("maxRetries", "3")
                .build());
        mailet.shutdownGrace(Duration.ofMillis(500));
        ManageableMailQueue survivor = (ManageableMailQueue) queues.createQueue(MailQueueName.of("lmtp-outgoing"));
        mailet.service(TestMails.mail("alice@a.test", "bob@b.test", "carol@b.test", "dave@b.test"));
        await().atMost(Duration.ofSeconds(10)).until(() -> dots.get() == 1);

        mailet.destroy();

        assertThat(metrics.countFor(DeliveryMetrics.DELIVERED)).isEqualTo(1);
        assertThat(metrics.countFor(DeliveryMetrics.DEFERRED)).isEqualTo(2);
        List<List<MailAddress>> waiting = new ArrayList<>();
        survivor.browse().forEachRemaining(item -> waiting.add(List.copyOf(item.getMail().getRecipients())));
        assertThat(waiting).containsExactly(List.of(new MailAddress("carol@b.test"), new MailAddress("dave@b.test")));
        assertThat(server.commands(0)).containsSubsequence("RCPT TO:<bob@b.test>");
    }

    @Test
    void destroyShouldLetAnAttemptFinishWithinTheGrace() throws Exception {
        FakeLmtpServer slow = FakeLmtpServer.start(new LmtpHandler() {
            @Override
            public List<Response> afterDot(List<String> acceptedRcptArgs, byte[] body) {
                dots.incrementAndGet();
                return List.of(Response.delay(Duration.ofMillis(300), Response.reply("250 2.0.0 Saved")));
            }
        });
        try (slow) {
            mailet = new LmtpDelivery(queues, metrics, () -> "james.test", Clock.systemUTC(), LmtpDelivery.ConsumerMode.START);
            mailet.init(FakeMailetConfig.builder().mailetName("lmtp").mailetContext(context)
                    .setProperty("destination", "inet:127.0.0.1:" + slow.port())
                    .build());
            mailet.service(TestMails.mail("alice@a.test", "bob@b.test"));
            await().atMost(Duration.ofSeconds(10)).until(() -> dots.get() == 1);

            mailet.destroy();

            assertThat(metrics.countFor(DeliveryMetrics.DELIVERED)).isEqualTo(1);
            assertThat(metrics.countFor(DeliveryMetrics.DEFERRED)).isZero();
        }
    }
}
