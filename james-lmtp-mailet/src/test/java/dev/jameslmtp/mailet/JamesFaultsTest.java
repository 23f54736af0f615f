package dev.jameslmtp.mailet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.jameslmtp.mailet.queue.PutBack;
import dev.jameslmtp.mailet.attempt.DeliveryMetrics;
import dev.jameslmtp.mailet.journal.DeliveryJournal;
import dev.jameslmtp.mailet.queue.Route;
import dev.jameslmtp.testing.FakeLmtpServer;

/** James itself failing around an attempt: its queue refusing mail or acknowledgements. */
class JamesFaultsTest {

    private final PerRecipientHandler handler = new PerRecipientHandler();
    private final FakeLmtpServer server = FakeLmtpServer.start(handler);
    private final FlakyQueueFactory queues = new FlakyQueueFactory(Clock.systemUTC());
    private final RecordingMetricFactory metrics = new RecordingMetricFactory();
    private final FakeMailContext context = FakeMailContext.defaultContext();
    private LmtpDelivery mailet;

    @TempDir
    Path dir;

    @AfterEach
    void tearDown() {
        if (mailet != null) {
            mailet.destroy();
        }
        server.close();
    }

    private void start(LmtpDelivery.ConsumerMode mode, String... parameters) throws MessagingException {
        Map<String, String> map = new HashMap<>(Map.of("destination", "inet:127.0.0.1:" + server.port(), "bounceProcessor", "bounces",
                "delayTime", "1 hour", "maxRetries", "2"));
        for (int i = 0; i < parameters.length; i += 2) {
            if (parameters[i + 1] == null) {
                map.remove(parameters[i]);
            } else {
                map.put(parameters[i], parameters[i + 1]);
            }
        }
        mailet = new LmtpDelivery(queues, metrics, () -> "james.test", Clock.systemUTC(), mode);
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("lmtp").mailetContext(context);
        map.forEach(config::setProperty);
        mailet.init(config.build());
    }

    private int rcptsFor(String address) {
        int count = 0;
        for (int i = 0; i < server.connectionCount(); i++) {
            count += (int) server.commands(i).stream().filter(("RCPT TO:<" + address + ">")::equals).count();
        }
        return count;
    }

    private List<List<MailAddress>> waiting() throws Exception {
        List<List<MailAddress>> waiting = new ArrayList<>();
        ((ManageableMailQueue) mailet.pipeline().queue()).browse().forEachRemaining(item -> waiting.add(List.copyOf(item.getMail().getRecipients())));
        return waiting;
    }

    @Test
    void deliveredRecipientsShouldNotBeSentAgainWhenTheQueueRefusesTheDeferredOnes() throws Exception {
        handler.afterDot("full@b.test", "452 4.2.2 Mailbox full");
        start(LmtpDelivery.ConsumerMode.START);
        mailet.service(TestMails.mail("alice@a.test", "bob@b.test", "full@b.test"));
        queues.failEnqueues(1000);

        await().atMost(Duration.ofSeconds(20)).until(() -> context.getSentMails().stream().anyMatch(m -> Mail.ERROR.equals(m.getState())));

        assertThat(context.getSentMails()).singleElement().satisfies(error -> {
            assertThat(error.getState()).isEqualTo(Mail.ERROR);
            assertThat(error.getRecipients()).containsExactly(new MailAddress("full@b.test"));
        });
        assertThat(metrics.countFor(DeliveryMetrics.PUT_BACK_FAILURES)).isEqualTo(PutBack.TRIES);
        assertThat(rcptsFor("bob@b.test")).isEqualTo(1);
        assertThat(waiting()).isEmpty();
    }

    @Test
    void putBackShouldSucceedOnALaterTryWithoutSendingDeliveredRecipientsAgain() throws Exception {
        handler.afterDot("full@b.test", "452 4.2.2 Mailbox full");
        start(LmtpDelivery.ConsumerMode.DO_NOT_START);
        queues.failEnqueues(PutBack.TRIES - 1);

        mailet.pipeline().attempt(TestMails.mail("alice@a.test", "bob@b.test", "full@b.test"));

        assertThat(waiting()).containsExactly(List.of(new MailAddress("full@b.test")));
        assertThat(metrics.countFor(DeliveryMetrics.PUT_BACK_FAILURES)).isEqualTo(PutBack.TRIES - 1);
        assertThat(context.getSentMails()).isEmpty();
    }

    @Test
    void acknowledgementFailureShouldNotPutDeferredRecipientsBackTwice() throws Exception {
        handler.afterDot("full@b.test", "452 4.2.2 Mailbox full");
        start(LmtpDelivery.ConsumerMode.START);
        queues.failAcknowledgements(1);

        mailet.service(TestMails.mail("alice@a.test", "bob@b.test", "full@b.test"));

        await().atMost(Duration.ofSeconds(20)).until(() -> queues.acknowledgementFailures.get() == 0
                && metrics.countFor(DeliveryMetrics.DEFERRED) == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> queues.enqueues.get() >= 2);
        assertThat(waiting()).containsExactly(List.of(new MailAddress("full@b.test")));
        assertThat(queues.enqueues.get()).as("the first enqueue and one put-back").isEqualTo(2);
        assertThat(rcptsFor("bob@b.test")).isEqualTo(1);
    }

    @Test
    void serviceShouldLeaveExactlyTheUnqueuedRecipientsOnTheMailWhenAnEnqueueFailsHalfWay() throws Exception {
        Path map = dir.resolve("transport");
        Files.writeString(map, "a.test inet:127.0.0.1:" + server.port() + "\nb.test inet:127.0.0.2:2424\nc.test inet:127.0.0.3:2424\n");
        start(LmtpDelivery.ConsumerMode.DO_NOT_START, "destination", null, "transportMap", map.toString());
        FakeMail mail = TestMails.mail("alice@x.test", "a1@a.test", "b1@b.test", "c1@c.test", "a2@a.test");
        queues.failEnqueuesAfter(1, 1);

        assertThatThrownBy(() -> mailet.service(mail)).isInstanceOf(MessagingException.class);

        assertThat(mail.getName()).isEqualTo("m1");
        assertThat(mail.getState()).isNotEqualTo(Mail.GHOST);
        assertThat(mail.getRecipients()).containsExactly(new MailAddress("b1@b.test"), new MailAddress("c1@c.test"));
        assertThat(waiting()).containsExactly(List.of(new MailAddress("a1@a.test"), new MailAddress("a2@a.test")));
    }

    @Test
    void serviceShouldLeaveTheMailWholeAndUnroutedWhenItsOnlyEnqueueFails() throws Exception {
        start(LmtpDelivery.ConsumerMode.DO_NOT_START);
        FakeMail mail = TestMails.mail("alice@x.test", "bob@b.test", "carol@b.test");
        queues.failEnqueues(1);

        assertThatThrownBy(() -> mailet.service(mail)).isInstanceOf(MessagingException.class)
                .hasMessageContaining("bob@b.test");

        assertThat(mail.getState()).isNotEqualTo(Mail.GHOST);
        assertThat(mail.getRecipients()).containsExactly(new MailAddress("bob@b.test"), new MailAddress("carol@b.test"));
        assertThat(mail.getAttribute(Route.ATTRIBUTE)).isEmpty();
        assertThat(mail.getAttribute(org.apache.mailet.AttributeName.of(DeliveryJournal.ID))).isEmpty();
        assertThat(waiting()).isEmpty();
    }
}
