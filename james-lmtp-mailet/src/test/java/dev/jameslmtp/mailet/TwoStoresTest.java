package dev.jameslmtp.mailet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.mail.MessagingException;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.mailet.attempt.DeliveryMetrics;
import dev.jameslmtp.testing.FakeLmtpServer;

/**
 * Two LmtpDelivery mailets in one James, one per store (the ordinary way to serve two stores):
 * mail reaches only the destination chosen by the mailet that accepted it.
 */
class TwoStoresTest {

    private final FakeLmtpServer storeA = FakeLmtpServer.start(new PerRecipientHandler());
    private final FakeLmtpServer storeB = FakeLmtpServer.start(new PerRecipientHandler());
    private final MemoryMailQueueFactory queues = new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory(), Clock.systemUTC());
    private final FakeMailContext context = FakeMailContext.defaultContext();
    private final RecordingMetricFactory metrics = new RecordingMetricFactory();
    private final List<LmtpDelivery> mailets = new ArrayList<>();

    @AfterEach
    void tearDown() {
        mailets.forEach(LmtpDelivery::destroy);
        storeA.close();
        storeB.close();
    }

    private LmtpDelivery mailet(MailQueueFactory<?> factory, LmtpDelivery.ConsumerMode mode, Map<String, String> parameters)
            throws MessagingException {
        LmtpDelivery mailet = new LmtpDelivery(factory, metrics, () -> "james.test", Clock.systemUTC(), mode);
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("LmtpDelivery").mailetContext(context);
        parameters.forEach(config::setProperty);
        mailet.init(config.build());
        mailets.add(mailet);
        return mailet;
    }

    private static List<String> rcpts(FakeLmtpServer server) {
        List<String> rcpts = new ArrayList<>();
        for (int i = 0; i < server.connectionCount(); i++) {
            server.commands(i).stream().filter(c -> c.startsWith("RCPT")).forEach(rcpts::add);
        }
        return rcpts;
    }

    private static List<String> lhlos(FakeLmtpServer server) {
        List<String> lhlos = new ArrayList<>();
        for (int i = 0; i < server.connectionCount(); i++) {
            server.commands(i).stream().filter(c -> c.startsWith("LHLO")).forEach(lhlos::add);
        }
        return lhlos;
    }

    @Test
    void initShouldFailNamingOutgoingWhenASecondMailetUsesTheSameQueue() throws Exception {
        mailet(queues, LmtpDelivery.ConsumerMode.DO_NOT_START, Map.of("destination", "inet:127.0.0.1:" + storeA.port()));

        assertThatThrownBy(() -> mailet(queues, LmtpDelivery.ConsumerMode.DO_NOT_START,
                Map.of("destination", "inet:127.0.0.1:" + storeB.port())))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("outgoing")
                .hasMessageContaining("'lmtp-outgoing'");
    }

    @Test
    void queueShouldBeUsableAgainAfterTheMailetOnItIsDestroyed() throws Exception {
        LmtpDelivery first = mailet(queues, LmtpDelivery.ConsumerMode.DO_NOT_START, Map.of("destination", "inet:127.0.0.1:" + storeA.port()));
        first.destroy();
        mailets.remove(first);

        LmtpDelivery second = mailet(queues, LmtpDelivery.ConsumerMode.DO_NOT_START, Map.of("destination", "inet:127.0.0.1:" + storeB.port()));

        assertThat(second.configuration().outgoing()).isEqualTo("lmtp-outgoing");
    }

    @Test
    void twoMailetsShouldEachDeliverOnlyTheirOwnMailWithTheirOwnSettings() throws Exception {
        mailet(queues, LmtpDelivery.ConsumerMode.START, Map.of("destination", "inet:127.0.0.1:" + storeA.port(),
                "outgoing", "lmtp-store-a", "lhloName", "for-a.test", "recipientLimit", "0"));
        LmtpDelivery b = mailet(queues, LmtpDelivery.ConsumerMode.START, Map.of("destination", "inet:127.0.0.1:" + storeB.port(),
                "outgoing", "lmtp-store-b", "lhloName", "for-b.test", "recipientLimit", "1"));
        LmtpDelivery a = mailets.get(0);

        for (int i = 0; i < 20; i++) {
            a.service(TestMails.mail("alice@x.test", "a" + i + "@a.test"));
            b.service(TestMails.mail("alice@x.test", "b" + i + "@b.test", "bb" + i + "@b.test"));
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> metrics.countFor(DeliveryMetrics.DELIVERED) == 60);
        assertThat(rcpts(storeA)).hasSize(20).allMatch(rcpt -> rcpt.endsWith("@a.test>"));
        assertThat(rcpts(storeB)).hasSize(40).allMatch(rcpt -> rcpt.endsWith("@b.test>"));
        assertThat(lhlos(storeA)).allMatch("LHLO for-a.test"::equals);
        assertThat(lhlos(storeB)).allMatch("LHLO for-b.test"::equals);
    }

    @Test
    void attemptShouldDeliverToTheDestinationFixedByTheMailetThatAcceptedTheMail() throws Exception {
        LmtpDelivery a = mailet(queues, LmtpDelivery.ConsumerMode.DO_NOT_START, Map.of("destination", "inet:127.0.0.1:" + storeA.port()));
        MemoryMailQueueFactory otherJames = new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory(), Clock.systemUTC());
        LmtpDelivery b = mailet(otherJames, LmtpDelivery.ConsumerMode.DO_NOT_START, Map.of("destination", "inet:127.0.0.1:" + storeB.port()));
        a.service(TestMails.mail("alice@x.test", "bob@a.test"));
        List<Mail> queued = new ArrayList<>();
        ((ManageableMailQueue) a.pipeline().queue()).browse().forEachRemaining(item -> queued.add(item.getMail()));

        DeliveryResult outcomes = b.pipeline().attempt(queued.get(0).duplicate());

        assertThat(outcomes.addresses(Fate.DELIVERED)).hasSize(1);
        assertThat(rcpts(storeA)).containsExactly("RCPT TO:<bob@a.test>");
        assertThat(storeB.connectionCount()).isZero();
    }
}
