package dev.jameslmtp.mailet;

import static dev.jameslmtp.mailet.TestMails.mail;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.ProcessingState;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.conf.DelaySchedule;
import dev.jameslmtp.mailet.attempt.AttemptLog;
import dev.jameslmtp.mailet.attempt.DeliveryMetrics;
import dev.jameslmtp.mailet.attempt.RetryState;
import dev.jameslmtp.mailet.queue.Route;
import dev.jameslmtp.mailet.report.Bounces;
import dev.jameslmtp.testing.FakeLmtpServer;

class LmtpDeliveryTest {

    /** Maps and key stores the tests write: removed after each test, never left in /tmp. */
    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path temp;


    private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private final PerRecipientHandler handler = new PerRecipientHandler();
    private FakeLmtpServer server;
    private MemoryMailQueueFactory queueFactory;
    private RecordingMetricFactory metrics;
    private FakeMailContext context;
    private LmtpDelivery mailet;
    private String destination;

    @BeforeEach
    void setUp() {
        server = FakeLmtpServer.start(handler);
        destination = "inet:127.0.0.1:" + server.port();
        queueFactory = new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory(), CLOCK);
        metrics = new RecordingMetricFactory();
        context = FakeMailContext.defaultContext();
    }

    @AfterEach
    void tearDown() {
        if (mailet != null) {
            mailet.destroy();
        }
        server.close();
    }

    private LmtpDelivery mailet(String... parameters) throws MessagingException {
        Map<String, String> map = new HashMap<>();
        map.put("destination", destination);
        map.put("bounceProcessor", "bounces");
        map.put("delayTime", "1 minute, 5 minutes, 1 hour");
        map.put("maxRetries", "3");
        for (int i = 0; i < parameters.length; i += 2) {
            if (parameters[i + 1] == null) {
                map.remove(parameters[i]);
            } else {
                map.put(parameters[i], parameters[i + 1]);
            }
        }
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("lmtp").mailetContext(context);
        map.forEach(config::setProperty);
        mailet = new LmtpDelivery(queueFactory, metrics, () -> "james.test", CLOCK, LmtpDelivery.ConsumerMode.DO_NOT_START);
        mailet.init(config.build());
        return mailet;
    }


    private List<ManageableMailQueue.MailQueueItemView> queued() throws Exception {
        List<ManageableMailQueue.MailQueueItemView> items = new ArrayList<>();
        ((ManageableMailQueue) mailet.pipeline().queue()).browse().forEachRemaining(items::add);
        return items;
    }

    private List<FakeMailContext.SentMail> sentTo(String state) {
        return context.getSentMails().stream().filter(m -> state.equals(m.getState())).toList();
    }

    private static Optional<Object> attribute(FakeMailContext.SentMail mail, String name) {
        return Optional.ofNullable(mail.getAttributes().get(AttributeName.of(name))).map(Attribute::getValue).map(AttributeValue::value);
    }

    @Test
    void serviceShouldEnqueueAndGhostTheMail() throws Exception {
        mailet("destination", "inet:127.0.0.1:" + server.port());
        FakeMail mail = mail("alice@a.test", "bob@b.test", "carol@b.test");

        mailet.service(mail);

        assertThat(mail.getState()).isEqualTo(Mail.GHOST);
        assertThat(queued()).hasSize(1);
        assertThat(queued().get(0).getMail().getRecipients()).containsExactly(new MailAddress("bob@b.test"), new MailAddress("carol@b.test"));
        assertThat(server.connectionCount()).isZero();
    }

    @Test
    void serviceShouldQueueAnItemThatGhostingAndDisposingTheOriginalLeaveIntact() throws Exception {
        mailet("destination", "inet:127.0.0.1:" + server.port());
        FakeMail mail = mail("alice@a.test", "bob@b.test");

        mailet.service(mail);
        mail.setRecipients(List.of());
        mail.removeAllAttributes();
        mail.getMessage().setSubject("changed after service");
        LifecycleUtil.dispose(mail);

        Mail queued = queued().get(0).getMail();
        assertThat(queued).isNotSameAs(mail);
        assertThat(queued.getState()).isNotEqualTo(Mail.GHOST);
        assertThat(queued.getRecipients()).containsExactly(new MailAddress("bob@b.test"));
        assertThat(Route.text(queued)).contains("inet:127.0.0.1:" + server.port());
        assertThat(queued.getMessage().getSubject()).isEqualTo("hello");
    }

    @Test
    void serviceShouldEnqueueOneMailPerDestinationWhenTheTransportMapHasSeveral() throws Exception {
        java.nio.file.Path map = java.nio.file.Files.createTempFile(temp, "transport", ".map");
        java.nio.file.Files.writeString(map, "b.test lmtp:inet:127.0.0.1:" + server.port() + "\n* inet:127.0.0.2:2424\n");
        mailet("destination", null, "transportMap", map.toString());

        mailet.service(mail("alice@a.test", "bob@b.test", "carol@c.test", "dave@b.test"));

        assertThat(queued()).extracting(item -> item.getMail().getRecipients().toString())
                .containsExactlyInAnyOrder("[bob@b.test, dave@b.test]", "[carol@c.test]");
    }

    @Test
    void serviceShouldRouteByTheTransportMapAsItsFileSaysNowWithoutARestart() throws Exception {
        java.nio.file.Path map = java.nio.file.Files.createTempFile(temp, "transport", ".map");
        java.nio.file.Files.writeString(map, "b.test inet:127.0.0.1:2401\n");
        java.nio.file.Files.setLastModifiedTime(map, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        mailet("destination", null, "transportMap", map.toString());
        mailet.service(mail("alice@a.test", "bob@b.test"));

        java.nio.file.Path edited = java.nio.file.Files.writeString(temp.resolve("transport.new"), "b.test inet:127.0.0.1:2402\n");
        java.nio.file.Files.move(edited, map, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        mailet.service(mail("alice@a.test", "bob@b.test"));

        assertThat(queued()).extracting(item -> Route.text(item.getMail()).orElseThrow())
                .containsExactly("inet:127.0.0.1:2401", "inet:127.0.0.1:2402");
    }

    @Test
    void theMailsOriginShouldGoWithXclientOnlyToTheDestinationsListed() throws Exception {
        dev.jameslmtp.testing.LmtpHandler offering = new dev.jameslmtp.testing.LmtpHandler() {
            @Override
            public List<String> capabilities() {
                return List.of("PIPELINING", "ENHANCEDSTATUSCODES", "XCLIENT ADDR PORT HELO");
            }

            @Override
            public dev.jameslmtp.testing.Response unknown(String line) {
                return line.startsWith("XCLIENT ") ? dev.jameslmtp.testing.Response.reply("220 store ready")
                        : dev.jameslmtp.testing.LmtpHandler.super.unknown(line);
            }
        };
        try (FakeLmtpServer store = FakeLmtpServer.start(offering)) {
            String storeDestination = "inet:127.0.0.1:" + store.port();
            FakeMail mail = FakeMail.builder().name("from-outside")
                    .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("hello").setText("Hello.\r\n"))
                    .sender("alice@a.test").recipients("bob@b.test").state(Mail.DEFAULT)
                    .remoteAddr("2001:db8::7")
                    .attribute(new org.apache.mailet.Attribute(Mail.SMTP_HELO, org.apache.mailet.AttributeValue.of("mx.sender.test")))
                    .build();

            mailet("destination", storeDestination, "xclientDestinations", storeDestination);
            mailet.pipeline().attempt(mail);
            mailet.destroy();
            mailet("destination", storeDestination);
            mailet.pipeline().attempt(mail("alice@a.test", "carol@b.test"));

            assertThat(store.commands(0)).contains("XCLIENT ADDR=IPV6:2001:db8::7 HELO=mx.sender.test");
            assertThat(store.connectionCount()).isEqualTo(2);
            assertThat(store.commands(1)).noneMatch(command -> command.startsWith("XCLIENT"));
        }
    }

    @Test
    void attemptShouldDeliverEveryRecipientWhenTheServerAcceptsAll() throws Exception {
        mailet();
        FakeMail mail = mail("alice@a.test", "bob@b.test", "carol@b.test");

        DeliveryResult outcomes = mailet.pipeline().attempt(mail);

        assertThat(outcomes.addresses(Fate.DELIVERED)).containsExactly("bob@b.test", "carol@b.test");
        assertThat(mail.getRecipients()).isEmpty();
        assertThat(queued()).isEmpty();
        assertThat(context.getSentMails()).isEmpty();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        mail.getMessage().writeTo(expected);
        assertThat(new String(FakeLmtpServer.unstuff(server.bodies(0).get(0)))).isEqualTo(expected.toString().replaceAll("(?<!\r)\n", "\r\n"));
        assertThat(server.commands(0)).contains("MAIL FROM:<alice@a.test>", "RCPT TO:<bob@b.test>", "RCPT TO:<carol@b.test>");
    }

    @Test
    void attemptShouldBounceEachFailedRecipientWithItsOwnReply() throws Exception {
        handler.rcpt("unknown@b.test", "550 5.1.1 <unknown@b.test> User doesn't exist")
                .afterDot("full@b.test", "552 5.2.2 <full@b.test> Mailbox full");
        mailet();

        DeliveryResult outcomes = mailet.pipeline().attempt(mail("alice@a.test", "bob@b.test", "unknown@b.test", "full@b.test"));

        assertThat(outcomes.addresses(Fate.DELIVERED)).containsExactly("bob@b.test");
        assertThat(outcomes.addresses(Fate.BOUNCED)).containsExactly("unknown@b.test", "full@b.test");
        List<FakeMailContext.SentMail> bounces = sentTo("bounces");
        assertThat(bounces).hasSize(2);
        assertThat(bounces.get(0).getRecipients()).containsExactly(new MailAddress("unknown@b.test"));
        assertThat(attribute(bounces.get(0), "delivery-error")).contains("550 5.1.1 <unknown@b.test> User doesn't exist");
        assertThat(attribute(bounces.get(0), "delivery-error-code")).contains(550);
        assertThat(attribute(bounces.get(0), "is-delivery-permanent-error")).contains(true);
        assertThat(bounces.get(1).getRecipients()).containsExactly(new MailAddress("full@b.test"));
        assertThat(attribute(bounces.get(1), "delivery-error")).contains("552 5.2.2 <full@b.test> Mailbox full");
        assertThat(attribute(bounces.get(1), "delivery-error-code")).contains(552);
        assertThat(queued()).isEmpty();
    }

    @Test
    void attemptShouldBounceRecipientsWithTheSameReplyTogether() throws Exception {
        handler.rcpt("x@b.test", "550 5.1.1 No such user").rcpt("y@b.test", "550 5.1.1 No such user");
        mailet();

        mailet.pipeline().attempt(mail("alice@a.test", "x@b.test", "y@b.test"));

        assertThat(sentTo("bounces")).singleElement()
                .satisfies(bounce -> assertThat(bounce.getRecipients()).containsExactly(new MailAddress("x@b.test"), new MailAddress("y@b.test")));
    }

    @Test
    void attemptShouldRequeueOnlyTemporaryRecipientsAfterTheFirstDelay() throws Exception {
        handler.afterDot("full@b.test", "452 4.2.2 <full@b.test> Mailbox is full");
        mailet();
        FakeMail mail = mail("alice@a.test", "bob@b.test", "full@b.test");

        DeliveryResult outcomes = mailet.pipeline().attempt(mail);

        assertThat(outcomes.addresses(Fate.DEFERRED)).containsExactly("full@b.test");
        assertThat(mail.getRecipients()).containsExactly(new MailAddress("full@b.test"));
        assertThat(queued()).singleElement().satisfies(item -> {
            assertThat(item.getMail().getRecipients()).containsExactly(new MailAddress("full@b.test"));
            assertThat(item.getMail().getName()).isEqualTo("m1");
            assertNextDelivery(item, Duration.ofMinutes(1));
            assertThat(RetryState.retriesOf(item.getMail(), new MailAddress("full@b.test"))).isEqualTo(1);
            assertThat(item.getMail().getAttribute(RetryState.DELIVERY_RETRY_COUNT).map(a -> (Object) a.getValue().value())).contains(1);
        });
        assertThat(context.getSentMails()).isEmpty();
    }

    @Test
    void retriesShouldFollowTheScheduleAndBounceWithTheLastTemporaryReplyWhenExhausted() throws Exception {
        handler.rcpt("full@b.test", "452 4.2.2 Mailbox is full");
        mailet("delayTime", "1 minute, 5 minutes", "maxRetries", "2");
        Mail mail = mail("alice@a.test", "full@b.test");

        mailet.pipeline().attempt(mail);
        Mail retry1 = takeQueued(Duration.ofMinutes(1));
        mailet.pipeline().attempt(retry1);
        Mail retry2 = takeQueued(Duration.ofMinutes(5));
        DeliveryResult last = mailet.pipeline().attempt(retry2);

        assertThat(last.addresses(Fate.BOUNCED)).containsExactly("full@b.test");
        assertThat(queued()).isEmpty();
        assertThat(sentTo("bounces")).singleElement().satisfies(bounce -> {
            assertThat(attribute(bounce, "delivery-error")).contains("452 4.2.2 Mailbox is full");
            assertThat(attribute(bounce, "delivery-error-code")).contains(452);
            assertThat(attribute(bounce, "is-delivery-permanent-error")).contains(false);
        });
    }

    /** The retry is at its time, spread by retryJitter (10 %): never earlier, at most 10 % later. */
    private static void assertNextDelivery(ManageableMailQueue.MailQueueItemView item, Duration delay) {
        assertThat(item.getNextDelivery()).hasValueSatisfying(next -> assertThat(next).isBetween(
                ZonedDateTime.ofInstant(NOW.plus(delay), ZoneOffset.UTC),
                ZonedDateTime.ofInstant(NOW.plus(delay).plus(delay.dividedBy(10)), ZoneOffset.UTC)));
    }

    private Mail takeQueued(Duration expectedDelay) throws Exception {
        List<ManageableMailQueue.MailQueueItemView> items = queued();
        assertThat(items).hasSize(1);
        assertNextDelivery(items.get(0), expectedDelay);
        Mail mail = items.get(0).getMail();
        ((ManageableMailQueue) mailet.pipeline().queue()).clear();
        return mail;
    }

    @Test
    void retryCountsShouldBeKeptPerRecipient() throws Exception {
        handler.rcpt("a@b.test", "451 4.3.0 try later");
        mailet();
        FakeMail mail = mail("alice@a.test", "a@b.test", "b@b.test");
        mail.setAttribute(new Attribute(RetryState.RETRIES, AttributeValue.of(Map.of("a@b.test", AttributeValue.of(2)))));

        DeliveryResult outcomes = mailet.pipeline().attempt(mail);

        assertThat(outcomes.positions(Fate.DEFERRED)).singleElement().satisfies(index -> {
            assertThat(RetryState.retriesOf(mail, new MailAddress(outcomes.recipient(index)))).as("before the attempt").isEqualTo(2);
            assertThat(RetryState.after(mail, outcomes, index)).isEqualTo(3);
            assertThat(mailet.configuration().delaySchedule().delayBeforeRetry(3)).isEqualTo(Duration.ofHours(1));
        });
        assertThat(queued()).singleElement()
                .satisfies(copy -> assertThat(RetryState.retriesOf(copy.getMail(), new MailAddress("a@b.test"))).isEqualTo(3));
        assertThat(outcomes.addresses(Fate.DELIVERED)).containsExactly("b@b.test");
    }

    @Test
    void attemptShouldNotBounceWhenTheSenderIsNull() throws Exception {
        handler.rcpt("unknown@b.test", "550 5.1.1 User doesn't exist");
        mailet();

        DeliveryResult outcomes = mailet.pipeline().attempt(mail(null, "unknown@b.test"));

        assertThat(outcomes.addresses(Fate.BOUNCED)).containsExactly("unknown@b.test");
        assertThat(context.getSentMails()).isEmpty();
        assertThat(context.getBouncedMails()).isEmpty();
        assertThat(server.commands(0)).contains("MAIL FROM:<>");
    }

    @Test
    void softBounceShouldDeferPermanentFailuresAndBounceThemAsTemporaryWhenExhausted() throws Exception {
        handler.rcpt("unknown@b.test", "550 5.1.1 User doesn't exist");
        mailet("softBounce", "true", "maxRetries", "0", "delayTime", "0*1 minute");

        DeliveryResult first = mailet.pipeline().attempt(mail("alice@a.test", "unknown@b.test"));

        assertThat(first.addresses(Fate.BOUNCED)).containsExactly("unknown@b.test");
        assertThat(sentTo("bounces")).singleElement().satisfies(bounce -> {
            assertThat(attribute(bounce, "delivery-error")).contains("450 4.1.1 User doesn't exist");
            assertThat(attribute(bounce, "is-delivery-permanent-error")).contains(false);
        });
    }

    @Test
    void softBounceShouldRequeuePermanentFailures() throws Exception {
        handler.rcpt("unknown@b.test", "550 5.1.1 User doesn't exist");
        mailet("softBounce", "true");

        DeliveryResult outcomes = mailet.pipeline().attempt(mail("alice@a.test", "unknown@b.test"));

        assertThat(outcomes.addresses(Fate.DEFERRED)).containsExactly("unknown@b.test");
        assertThat(queued()).hasSize(1);
        assertThat(context.getSentMails()).isEmpty();
    }

    @Test
    void recipientLimitShouldSplitTransactionsOnOneConnection() throws Exception {
        mailet("recipientLimit", "2");

        DeliveryResult outcomes = mailet.pipeline().attempt(mail("alice@a.test", "r1@b.test", "r2@b.test", "r3@b.test", "r4@b.test", "r5@b.test"));

        assertThat(outcomes.positions(Fate.DELIVERED)).hasSize(5);
        assertThat(server.connectionCount()).isEqualTo(1);
        assertThat(server.bodies(0)).hasSize(3);
        assertThat(server.commands(0).stream().filter(c -> c.startsWith("RSET"))).hasSize(2);
    }

    @Test
    void unboundedRecipientLimitShouldSendOneTransaction() throws Exception {
        mailet("recipientLimit", "0");
        String[] recipients = new String[120];
        for (int i = 0; i < recipients.length; i++) {
            recipients[i] = "r" + i + "@b.test";
        }

        DeliveryResult outcomes = mailet.pipeline().attempt(mail("alice@a.test", recipients));

        assertThat(outcomes.positions(Fate.DELIVERED)).hasSize(120);
        assertThat(server.bodies(0)).hasSize(1);
    }

    @Test
    void onSuccessShouldReceiveACopyWithTheDeliveredRecipients() throws Exception {
        handler.rcpt("unknown@b.test", "550 5.1.1 User doesn't exist");
        mailet("onSuccess", "delivered");

        mailet.pipeline().attempt(mail("alice@a.test", "bob@b.test", "unknown@b.test"));

        assertThat(sentTo("delivered")).singleElement()
                .satisfies(copy -> assertThat(copy.getRecipients()).containsExactly(new MailAddress("bob@b.test")));
        assertThat(sentTo("bounces")).hasSize(1);
    }

    @Test
    void jamesBounceModeWithoutBounceProcessorShouldBounceThroughTheMailetContext() throws Exception {
        handler.rcpt("unknown@b.test", "550 5.1.1 User doesn't exist");
        mailet("bounceProcessor", null, "bounceMode", "james");

        mailet.pipeline().attempt(mail("alice@a.test", "bob@b.test", "unknown@b.test"));

        assertThat(context.getBouncedMails()).singleElement().satisfies(bounce -> {
            assertThat(bounce.getSentMail().getRecipients()).containsExactly(new MailAddress("unknown@b.test"));
            assertThat(bounce.getMessage()).contains("unknown@b.test: 550 5.1.1 User doesn't exist");
        });
    }

    @Test
    void refusedConnectionShouldDeferEveryRecipient() throws Exception {
        int port = server.port();
        server.close();
        mailet("destination", "inet:127.0.0.1:" + port);

        DeliveryResult outcomes = mailet.pipeline().attempt(mail("alice@a.test", "bob@b.test", "carol@b.test"));

        assertThat(outcomes.positions(Fate.DEFERRED)).hasSize(2)
                .allSatisfy(index -> assertThat(Bounces.deliveryError(outcomes.verdict(index))).startsWith("4.4.1 connect to " + dev.jameslmtp.client.Destination.parse(destination)));
        assertThat(queued()).hasSize(1);
    }

    @Test
    void transportMapWithoutEntryShouldDeferTheRecipient() throws Exception {
        java.nio.file.Path map = java.nio.file.Files.createTempFile(temp, "transport", ".map");
        java.nio.file.Files.writeString(map, "b.test inet:127.0.0.1:" + server.port() + "\n");
        mailet("destination", null, "transportMap", map.toString());

        DeliveryResult outcomes = mailet.pipeline().attempt(mail("alice@a.test", "bob@b.test", "carol@c.test"));

        assertThat(outcomes.addresses(Fate.DELIVERED)).containsExactly("bob@b.test");
        assertThat(outcomes.positions(Fate.DEFERRED)).singleElement()
                .satisfies(index -> assertThat(Bounces.deliveryError(outcomes.verdict(index))).isEqualTo("4.3.5 no LMTP destination for domain c.test in the transport map"));
    }

    @Test
    void metricsShouldCountRecipientsAndTimeTheAttempt() throws Exception {
        handler.rcpt("unknown@b.test", "550 5.1.1 User doesn't exist").rcpt("later@b.test", "450 4.2.1 later");
        mailet();

        mailet.pipeline().attempt(mail("alice@a.test", "bob@b.test", "carol@b.test", "unknown@b.test", "later@b.test"));

        assertThat(metrics.countFor(DeliveryMetrics.DELIVERED)).isEqualTo(2);
        assertThat(metrics.countFor(DeliveryMetrics.BOUNCED)).isEqualTo(1);
        assertThat(metrics.countFor(DeliveryMetrics.DEFERRED)).isEqualTo(1);
        assertThat(metrics.executionTimesFor(DeliveryMetrics.ATTEMPT)).hasSize(1);
    }

    @Test
    void attemptLogLineShouldNameEachRecipientOutcome() throws Exception {
        handler.rcpt("unknown@b.test", "550 5.1.1 User doesn't exist").rcpt("later@b.test", "450 4.2.1 later");
        mailet();
        FakeMail mail = mail("alice@a.test", "bob@b.test", "unknown@b.test", "later@b.test");
        DeliveryResult outcomes = mailet.pipeline().attempt(mail);

        String line = AttemptLog.line(mail, outcomes, DelaySchedule.parse("1 minute, 5 minutes, 15 minutes", 3));

        assertThat(line).startsWith("LMTP delivery of mail m1 from alice@a.test:")
                .contains("delivered [bob@b.test 250 2.0.0]")
                .contains("deferred [later@b.test 450 4.2.1 (retry 1/3 in 1 minute: later)]")
                .contains("bounced [unknown@b.test 550 5.1.1 (User doesn't exist)]")
                .endsWith("via " + dev.jameslmtp.client.Destination.parse(destination));
    }

    @Test
    void initShouldFailNamingAnUnknownParameter() {
        assertThatThrownBy(() -> mailet("deliveryThreads", "4"))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("LmtpDelivery mailet 'lmtp'")
                .hasMessageContaining("'deliveryThreads'");
    }

    @Test
    void initShouldFailOnAWrongKeyStorePasswordNamingTheStoreButNeverThePassword() throws Exception {
        java.nio.file.Path store = java.nio.file.Files.createTempDirectory(temp, "lmtp-keystore").resolve("client.p12");
        dev.jameslmtp.testing.TestCertificates.authority("init CA").issue("james.client.test")
                .writeKeyStore(store, "PKCS12", "right-nOt4LoGs".toCharArray());

        assertThatThrownBy(() -> mailet("tlsSecurityLevel", "encrypt", "tlsKeyStore", store.toString(),
                "tlsKeyStorePassword", "wrong-nOt4LoGs"))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("LmtpDelivery mailet 'lmtp'")
                .hasMessageContaining(store.toString())
                .hasMessageContaining("wrong password")
                .hasMessageNotContaining("wrong-nOt4LoGs")
                .hasMessageNotContaining("right-nOt4LoGs");
    }

    @Test
    void initShouldAcceptTheContainerParameters() throws Exception {
        mailet("onMailetException", "propagate", "onMatcherException", "error");

        assertThat(mailet.configuration().bounceProcessor()).contains("bounces");
    }

    @Test
    void requiredProcessingStateShouldListBounceProcessorAndOnSuccess() throws Exception {
        mailet("onSuccess", "delivered");

        assertThat(mailet.requiredProcessingState()).containsExactly(new ProcessingState("bounces"), new ProcessingState("delivered"));
    }

    @Test
    void lhloNameShouldDefaultToTheSuppliedDomain() throws Exception {
        mailet();
        mailet.pipeline().attempt(mail("alice@a.test", "bob@b.test"));

        assertThat(server.commands(0).get(0)).isEqualTo("LHLO james.test");
    }
}
