package dev.jameslmtp.mailet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.mail.internet.ContentType;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.DsnParameters;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.mailet.report.ArrivalDate;
import dev.jameslmtp.mailet.report.DelayWarnings;
import dev.jameslmtp.mailet.report.DsnReport;
import dev.jameslmtp.mailet.report.DsnSender;
import dev.jameslmtp.testing.DeliveryStatusNotification;
import dev.jameslmtp.testing.FakeLmtpServer;

/**
 * bounceMode=rfc3464 (the default without bounceProcessor): the DSN the sender gets, read back as
 * a multipart/report with a message/delivery-status part.
 */
class Rfc3464BounceTest {

    private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final String POSTMASTER = "postmaster@james.test";

    private final PerRecipientHandler handler = new PerRecipientHandler();
    private FakeLmtpServer server;
    private FakeMailContext context;
    private LmtpDelivery mailet;

    @BeforeEach
    void setUp() throws Exception {
        server = FakeLmtpServer.start(handler);
        context = FakeMailContext.builder().postmaster(new MailAddress(POSTMASTER)).build();
    }

    @AfterEach
    void tearDown() {
        if (mailet != null) {
            mailet.destroy();
        }
        server.close();
    }

    private void mailet(String... parameters) throws Exception {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < parameters.length; i += 2) {
            map.put(parameters[i], parameters[i + 1]);
        }
        if (!map.containsKey("destination")) {
            map.put("destination", "inet:[127.0.0.1]:" + server.port());
        }
        map.putIfAbsent("delayTime", "1 minute, 5 minutes, 1 hour");
        map.putIfAbsent("maxRetries", "3");
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("lmtp").mailetContext(context);
        map.forEach(config::setProperty);
        mailet = new LmtpDelivery(new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory(), CLOCK), new RecordingMetricFactory(),
                () -> "james.test", CLOCK, LmtpDelivery.ConsumerMode.DO_NOT_START);
        mailet.init(config.build());
    }

    private List<FakeMailContext.SentMail> dsns() {
        return context.getSentMails();
    }

    private static DeliveryStatusNotification parse(FakeMailContext.SentMail sent) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        sent.getMsg().writeTo(bytes);
        return DeliveryStatusNotification.parse(bytes.toByteArray());
    }

    private static Map<String, String> fields(DeliveryStatusNotification dsn, String recipient) {
        return dsn.recipient(recipient).orElseThrow(() -> new AssertionError(recipient + " is not in the DSN: " + dsn.perRecipient()));
    }

    @Test
    void aMixedMailShouldYieldOneDsnListingEachFailedRecipientWithItsOwnBareStatus() throws Exception {
        handler.rcpt("unknown@b.test", "550 5.1.1 <unknown@b.test> User doesn't exist")
                .afterDot("full@b.test", "552 5.2.2 <full@b.test> Mailbox full");
        mailet();

        DeliveryResult outcomes = mailet.pipeline().attempt(TestMails.mail("alice@a.test", "bob@b.test", "unknown@b.test", "full@b.test"));

        assertThat(outcomes.addresses(Fate.DELIVERED)).containsExactly("bob@b.test");
        FakeMailContext.SentMail sent = dsns().get(0);
        assertThat(dsns()).hasSize(1);
        assertThat(sent.getSender()).as("a DSN comes from the null sender").isNull();
        assertThat(sent.getRecipients()).containsExactly(new MailAddress("alice@a.test"));
        DeliveryStatusNotification dsn = parse(sent);
        assertThat(dsn.perMessage()).containsEntry("Reporting-MTA", "dns; james.test")
                .containsEntry("Arrival-Date", "Fri, 2 Jan 2026 03:04:05 +0000");
        assertThat(dsn.perRecipient()).hasSize(2);
        assertThat(fields(dsn, "unknown@b.test"))
                .containsEntry("Action", "failed")
                .containsEntry("Status", "5.1.1")
                .containsEntry("Diagnostic-Code", "smtp; 550 5.1.1 <unknown@b.test> User doesn't exist")
                .containsEntry("Remote-MTA", "dns; 127.0.0.1")
                .containsEntry("Last-Attempt-Date", "Fri, 2 Jan 2026 03:04:05 +0000")
                .doesNotContainKey("Original-Recipient");
        assertThat(fields(dsn, "full@b.test"))
                .containsEntry("Action", "failed")
                .containsEntry("Status", "5.2.2")
                .containsEntry("Diagnostic-Code", "smtp; 552 5.2.2 <full@b.test> Mailbox full");
        assertThat(dsn.recipient("bob@b.test")).isEmpty();
        assertThat(dsn.humanReadable()).contains("<unknown@b.test>: inet:[127.0.0.1]:" + server.port()
                + " said: 550 5.1.1 <unknown@b.test> User doesn't exist (in reply to RCPT TO command)");
        assertThat(new ContentType(dsn.returned().orElseThrow().getContentType()).getBaseType()).isEqualTo("message/rfc822");
        assertThat(((MimeMessage) dsn.returned().orElseThrow().getContent()).getSubject()).isEqualTo("hello");
        assertThat(dsn.message().getFrom()[0].toString()).contains(POSTMASTER);
        assertThat(dsn.message().getHeader("Auto-Submitted")).containsExactly("auto-replied");
        assertThat(dsn.message().getSubject()).isEqualTo("Undelivered Mail Returned to Sender");
    }

    @Test
    void statusShouldComeFromTheReplyCodeClassWhenTheStoreGivesNoEnhancedCode() throws Exception {
        handler.rcpt("x@b.test", "550 No such user here");
        mailet();

        mailet.pipeline().attempt(TestMails.mail("alice@a.test", "x@b.test"));

        DeliveryStatusNotification dsn = parse(dsns().get(0));
        assertThat(fields(dsn, "x@b.test"))
                .containsEntry("Status", "5.0.0")
                .containsEntry("Diagnostic-Code", "smtp; 550 No such user here");
    }

    @Test
    void retriesExhaustedShouldFailWithTheLastTemporaryStatus() throws Exception {
        handler.rcpt("busy@b.test", "452 4.2.2 Over quota");
        mailet("maxRetries", "0", "delayTime", "0*1 minute");

        mailet.pipeline().attempt(TestMails.mail("alice@a.test", "busy@b.test"));

        assertThat(fields(parse(dsns().get(0)), "busy@b.test"))
                .containsEntry("Action", "failed")
                .containsEntry("Status", "4.2.2")
                .containsEntry("Diagnostic-Code", "smtp; 452 4.2.2 Over quota");
    }

    @Test
    void aLocalFailureShouldHaveAPrivateDiagnosticAndNoRemoteMta() throws Exception {
        int port = server.port();
        server.close();
        mailet("destination", "inet:[127.0.0.1]:" + port, "maxRetries", "0", "delayTime", "0*1 minute");

        mailet.pipeline().attempt(TestMails.mail("alice@a.test", "bob@b.test"));

        assertThat(fields(parse(dsns().get(0)), "bob@b.test"))
                .containsEntry("Status", "4.4.1")
                .doesNotContainKey("Remote-MTA")
                .hasEntrySatisfying("Diagnostic-Code", code -> assertThat(code).startsWith("x-james-lmtp; connect to inet:[127.0.0.1]:" + port));
    }

    @Test
    void remoteMtaShouldNameTheServerOfAListThatRefusedTheRecipient() throws Exception {
        Path down = Path.of("target", "no-lmtp-server-here.sock").toAbsolutePath();
        Files.deleteIfExists(down);
        handler.rcpt("unknown@b.test", "550 5.1.1 <unknown@b.test> User doesn't exist");
        mailet("destination", "unix:" + down + ", inet:[127.0.0.1]:" + server.port());

        mailet.pipeline().attempt(TestMails.mail("alice@a.test", "bob@b.test", "unknown@b.test"));

        DeliveryStatusNotification dsn = parse(dsns().get(0));
        assertThat(fields(dsn, "unknown@b.test"))
                .containsEntry("Status", "5.1.1")
                .containsEntry("Remote-MTA", "dns; 127.0.0.1")
                .containsEntry("Diagnostic-Code", "smtp; 550 5.1.1 <unknown@b.test> User doesn't exist");
        assertThat(dsn.humanReadable()).contains("<unknown@b.test>: inet:[127.0.0.1]:" + server.port()
                + " said: 550 5.1.1 <unknown@b.test> User doesn't exist (in reply to RCPT TO command)");
        assertThat(dsn.recipient("bob@b.test")).isEmpty();
    }

    @Test
    void dsnParametersShouldGiveOriginalRecipientEnvelopeIdHeadersOnlyAndHonourNotifyNever() throws Exception {
        handler.rcpt("x@b.test", "550 5.1.1 unknown").rcpt("quiet@b.test", "550 5.1.1 unknown");
        mailet();
        FakeMail mail = TestMails.mail("alice@a.test", "x@b.test", "quiet@b.test");
        mail.setDsnParameters(DsnParameters.builder()
                .envId(DsnParameters.EnvId.of("envelope-42"))
                .ret(DsnParameters.Ret.HDRS)
                .addRcptParameter(new MailAddress("x@b.test"), DsnParameters.RecipientDsnParameters.of(new MailAddress("X@orig.test")))
                .addRcptParameter(new MailAddress("quiet@b.test"), DsnParameters.RecipientDsnParameters.of(EnumSet.of(DsnParameters.Notify.NEVER)))
                .build().orElseThrow());

        mailet.pipeline().attempt(mail);

        DeliveryStatusNotification dsn = parse(dsns().get(0));
        assertThat(dsn.perMessage()).containsEntry("Original-Envelope-Id", "envelope-42");
        assertThat(dsn.perRecipient()).singleElement()
                .satisfies(fields -> assertThat(fields).containsEntry("Final-Recipient", "rfc822; x@b.test")
                        .containsEntry("Original-Recipient", "rfc822; X@orig.test"));
        assertThat(new ContentType(dsn.returned().orElseThrow().getContentType()).getBaseType()).isEqualTo("text/rfc822-headers");
    }

    @Test
    void aMessageLargerThanTheReturnLimitShouldComeBackAsItsHeaderOnly() throws Exception {
        handler.rcpt("x@b.test", "550 5.1.1 unknown");
        mailet();
        FakeMail mail = FakeMail.builder()
                .name("big")
                .mimeMessage(org.apache.james.core.builder.MimeMessageBuilder.mimeMessageBuilder().setSubject("big")
                        .setText(("z".repeat(70) + "\r\n").repeat(DsnReport.RETURN_LIMIT / 70)))
                .sender("alice@a.test")
                .recipients("x@b.test")
                .state(Mail.DEFAULT)
                .build();

        mailet.pipeline().attempt(mail);

        DeliveryStatusNotification dsn = parse(dsns().get(0));
        assertThat(new ContentType(dsn.returned().orElseThrow().getContentType()).getBaseType()).isEqualTo("text/rfc822-headers");
        assertThat(new String(dsn.returned().orElseThrow().getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII))
                .contains("Subject: big").doesNotContain("zzzz");
    }

    @Test
    void notifyNeverForEveryFailedRecipientShouldSendNoDsn() throws Exception {
        handler.rcpt("quiet@b.test", "550 5.1.1 unknown");
        mailet();
        FakeMail mail = TestMails.mail("alice@a.test", "quiet@b.test");
        mail.setDsnParameters(DsnParameters.builder()
                .addRcptParameter(new MailAddress("quiet@b.test"), DsnParameters.RecipientDsnParameters.of(EnumSet.of(DsnParameters.Notify.NEVER)))
                .build().orElseThrow());

        mailet.pipeline().attempt(mail);

        assertThat(dsns()).isEmpty();
    }

    @Test
    void theNullSenderShouldNeverGetADsn() throws Exception {
        handler.rcpt("unknown@b.test", "550 5.1.1 unknown");
        mailet();

        DeliveryResult outcomes = mailet.pipeline().attempt(TestMails.mail(null, "unknown@b.test"));

        assertThat(outcomes.addresses(Fate.BOUNCED)).containsExactly("unknown@b.test");
        assertThat(dsns()).isEmpty();
        assertThat(context.getBouncedMails()).isEmpty();
    }

    @Test
    void delayWarningShouldBeSentOnceWhenTheMailIsOlderThanDelayWarningTime() throws Exception {
        handler.rcpt("full@b.test", "452 4.2.2 Mailbox full");
        mailet("delayWarningTime", "1h");
        FakeMail mail = TestMails.mail("alice@a.test", "bob@b.test", "full@b.test");
        mail.setAttribute(new Attribute(ArrivalDate.ATTRIBUTE, AttributeValue.of(ZonedDateTime.ofInstant(NOW.minus(Duration.ofHours(2)), ZoneOffset.UTC))));

        mailet.pipeline().attempt(mail);

        DeliveryStatusNotification dsn = parse(dsns().get(0));
        assertThat(dsns()).hasSize(1);
        assertThat(dsn.message().getSubject()).isEqualTo("Delayed Mail (still being retried)");
        assertThat(dsn.perMessage()).containsEntry("Arrival-Date", "Fri, 2 Jan 2026 01:04:05 +0000");
        assertThat(dsn.perRecipient()).singleElement().satisfies(fields -> assertThat(fields)
                .containsEntry("Final-Recipient", "rfc822; full@b.test")
                .containsEntry("Action", "delayed")
                .containsEntry("Status", "4.2.2")
                .containsEntry("Diagnostic-Code", "smtp; 452 4.2.2 Mailbox full"));
        assertThat(new ContentType(dsn.returned().orElseThrow().getContentType()).getBaseType()).isEqualTo("text/rfc822-headers");
        assertThat(dsn.humanReadable()).contains("THIS IS A WARNING ONLY");

        Mail requeued = queued().get(0);
        assertThat(DelayWarnings.warned(requeued)).isTrue();
        context.resetSentMails();
        mailet.pipeline().attempt(requeued);
        assertThat(dsns()).as("no second warning").isEmpty();
    }

    @Test
    void delayWarningShouldWaitForDelayWarningTime() throws Exception {
        handler.rcpt("full@b.test", "452 4.2.2 Mailbox full");
        mailet("delayWarningTime", "1h");
        FakeMail mail = TestMails.mail("alice@a.test", "full@b.test");
        mail.setAttribute(new Attribute(ArrivalDate.ATTRIBUTE, AttributeValue.of(ZonedDateTime.ofInstant(NOW.minus(Duration.ofMinutes(59)), ZoneOffset.UTC))));

        mailet.pipeline().attempt(mail);

        assertThat(dsns()).isEmpty();
        assertThat(DelayWarnings.warned(queued().get(0))).isFalse();
    }

    @Test
    void withoutDelayWarningTimeDeferredRecipientsShouldGetNoDsn() throws Exception {
        handler.rcpt("full@b.test", "452 4.2.2 Mailbox full");
        mailet();
        FakeMail mail = TestMails.mail("alice@a.test", "full@b.test");
        mail.setAttribute(new Attribute(ArrivalDate.ATTRIBUTE, AttributeValue.of(ZonedDateTime.ofInstant(NOW.minus(Duration.ofDays(3)), ZoneOffset.UTC))));

        mailet.pipeline().attempt(mail);

        assertThat(dsns()).isEmpty();
    }

    @Test
    void serviceShouldStampTheArrivalDateOnce() throws Exception {
        mailet();
        FakeMail mail = TestMails.mail("alice@a.test", "bob@b.test");

        mailet.service(mail);

        assertThat(ArrivalDate.of(queued().get(0))).contains(NOW);
    }

    @Test
    void remoteMtaShouldNameATcpStoreByHostAndAUnixSocketByPath() {
        assertThat(DsnSender.remoteMta(Destination.parse("inet:[127.0.0.1]:24"))).isEqualTo("dns; 127.0.0.1");
        assertThat(DsnSender.remoteMta(Destination.parse("inet:lmtp.example.com:2424"))).isEqualTo("dns; lmtp.example.com");
        assertThat(DsnSender.remoteMta(Destination.parse("unix:/run/dovecot/lmtp"))).isEqualTo("x-unix; /run/dovecot/lmtp");
    }

    private List<Mail> queued() throws Exception {
        List<Mail> mails = new ArrayList<>();
        ((ManageableMailQueue) mailet.pipeline().queue()).browse().forEachRemaining(item -> mails.add(item.getMail()));
        return mails;
    }

    @Test
    void notifySuccessShouldGetOneDeliveredReportWhenTheStoreDoesNotOfferDsn() throws Exception {
        handler.rcpt("unknown@b.test", "550 5.1.1 unknown");
        mailet();
        FakeMail mail = TestMails.mail("alice@a.test", "bob@b.test", "carol@b.test", "dave@b.test", "unknown@b.test");
        mail.setDsnParameters(DsnParameters.builder()
                .envId(DsnParameters.EnvId.of("env-7"))
                .addRcptParameter(new MailAddress("bob@b.test"), DsnParameters.RecipientDsnParameters.of(
                        EnumSet.of(DsnParameters.Notify.SUCCESS, DsnParameters.Notify.FAILURE), new MailAddress("Bob@orig.test")))
                .addRcptParameter(new MailAddress("dave@b.test"), DsnParameters.RecipientDsnParameters.of(EnumSet.of(DsnParameters.Notify.FAILURE)))
                .addRcptParameter(new MailAddress("unknown@b.test"), DsnParameters.RecipientDsnParameters.of(EnumSet.of(DsnParameters.Notify.SUCCESS)))
                .build().orElseThrow());

        mailet.pipeline().attempt(mail);

        assertThat(server.commands(0)).contains("RCPT TO:<bob@b.test>").noneMatch(command -> command.contains("NOTIFY="));
        assertThat(dsns()).as("no failure report: unknown asked for SUCCESS only").hasSize(1);
        FakeMailContext.SentMail sent = dsns().get(0);
        assertThat(sent.getSender()).isNull();
        assertThat(sent.getRecipients()).containsExactly(new MailAddress("alice@a.test"));
        DeliveryStatusNotification dsn = parse(sent);
        assertThat(dsn.message().getSubject()).isEqualTo("Successful Mail Delivery Report");
        assertThat(dsn.perMessage()).containsEntry("Original-Envelope-Id", "env-7");
        assertThat(dsn.perRecipient()).singleElement().satisfies(fields -> assertThat(fields)
                .containsEntry("Final-Recipient", "rfc822; bob@b.test")
                .containsEntry("Original-Recipient", "rfc822; Bob@orig.test")
                .containsEntry("Action", "delivered")
                .containsEntry("Status", "2.0.0")
                .containsEntry("Remote-MTA", "dns; 127.0.0.1")
                .containsEntry("Diagnostic-Code", "smtp; 250 2.0.0 <bob@b.test> Saved"));
        assertThat(dsn.humanReadable()).contains("successfully delivered").contains("Delivered:").contains("<bob@b.test>: ");
        assertThat(new ContentType(dsn.returned().orElseThrow().getContentType()).getBaseType()).isEqualTo("text/rfc822-headers");
    }

    @Test
    void aStoreOfferingDsnShouldGetNotifyAndOrcptAndReportSuccessItself() throws Exception {
        try (FakeLmtpServer dsnStore = FakeLmtpServer.start(dev.jameslmtp.testing.LmtpHandler.withCapabilities(
                "PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME", "DSN"))) {
            mailet("destination", "inet:[127.0.0.1]:" + dsnStore.port());
            FakeMail mail = TestMails.mail("alice@a.test", "bob@b.test");
            mail.setDsnParameters(DsnParameters.builder()
                    .addRcptParameter(new MailAddress("bob@b.test"), DsnParameters.RecipientDsnParameters.of(
                            EnumSet.of(DsnParameters.Notify.SUCCESS), new MailAddress("bob@orig.test")))
                    .build().orElseThrow());

            mailet.pipeline().attempt(mail);

            assertThat(dsnStore.commands(0)).contains("RCPT TO:<bob@b.test> NOTIFY=SUCCESS ORCPT=rfc822;bob@orig.test");
            assertThat(dsns()).as("the store reports success itself").isEmpty();
        }
    }

    @Test
    void withoutNotifySuccessNoDeliveredReportShouldBeSent() throws Exception {
        mailet();

        mailet.pipeline().attempt(TestMails.mail("alice@a.test", "bob@b.test"));

        assertThat(dsns()).isEmpty();
    }
}
