package dev.jameslmtp.mailet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.mailet.attempt.AttemptMdc;
import dev.jameslmtp.mailet.attempt.DeliveryMetrics;
import dev.jameslmtp.mailet.attempt.SessionTranscript;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.Response;

/**
 * Postfix's operator hooks: notify_classes=protocol, debug_peer_list, metrics per destination and
 * the MDC of an attempt's log lines (read through a logback ListAppender).
 */
class OperatorHooksTest {

    /** Maps and key stores the tests write: removed after each test, never left in /tmp. */
    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path temp;


    private static final String POSTMASTER = "postmaster@james.test";

    private final PerRecipientHandler handler = new PerRecipientHandler();
    private final PerRecipientHandler otherHandler = new PerRecipientHandler();
    private FakeLmtpServer server;
    private FakeLmtpServer other;
    private FakeMailContext context;
    private RecordingMetricFactory metrics;
    private LmtpDelivery mailet;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger mailetLogger = (Logger) LoggerFactory.getLogger("dev.jameslmtp.mailet");
    private Level previousLevel;

    @BeforeEach
    void setUp() throws Exception {
        server = FakeLmtpServer.start(handler);
        other = FakeLmtpServer.start(otherHandler);
        context = FakeMailContext.builder().postmaster(new MailAddress(POSTMASTER)).build();
        metrics = new RecordingMetricFactory();
        previousLevel = mailetLogger.getLevel();
        mailetLogger.setLevel(Level.INFO);
        appender.start();
        mailetLogger.addAppender(appender);
    }

    @AfterEach
    void tearDown() {
        mailetLogger.detachAppender(appender);
        mailetLogger.setLevel(previousLevel);
        if (mailet != null) {
            mailet.destroy();
        }
        server.close();
        other.close();
    }

    /** b.test goes to {@link #server}, c.test to {@link #other}. */
    private void mailet(String... parameters) throws Exception {
        java.nio.file.Path map = java.nio.file.Files.createTempFile(temp, "transport", ".map");
        java.nio.file.Files.writeString(map, "b.test inet:127.0.0.1:" + server.port() + "\nc.test inet:127.0.0.1:" + other.port() + "\n");
        Map<String, String> config = new HashMap<>();
        config.put("transportMap", map.toString());
        config.put("outgoing", "lmtp-hooks");
        for (int i = 0; i < parameters.length; i += 2) {
            config.put(parameters[i], parameters[i + 1]);
        }
        if (config.containsKey("destination")) {
            config.remove("transportMap");
        }
        FakeMailetConfig.Builder builder = FakeMailetConfig.builder().mailetName("lmtp").mailetContext(context);
        config.forEach(builder::setProperty);
        mailet = new LmtpDelivery(new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory(), Clock.systemUTC()), metrics,
                () -> "james.test", Clock.systemUTC(), LmtpDelivery.ConsumerMode.DO_NOT_START);
        mailet.init(builder.build());
    }

    private String serverDestination() {
        return "inet:127.0.0.1:" + server.port();
    }

    private List<FakeMailContext.SentMail> toPostmaster() {
        return context.getSentMails().stream().filter(m -> m.getRecipients().contains(postmaster())).toList();
    }

    private static MailAddress postmaster() {
        try {
            return new MailAddress(POSTMASTER);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private List<String> transcriptLinesAtInfo() {
        return appender.list.stream()
                .filter(e -> e.getLoggerName().equals(SessionTranscript.LOGGER_NAME) && e.getLevel() == Level.INFO)
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    @Test
    void notifyClassesProtocolShouldSendThePostmasterTheTranscriptOfASessionEndingInAProtocolError() throws Exception {
        handler.rcpt("odd@b.test", "354 go ahead");
        mailet("notifyClasses", "protocol");

        DeliveryResult outcomes = mailet.pipeline().attempt(TestMails.mail("alice@a.test", "odd@b.test"));

        assertThat(outcomes.positions(Fate.DEFERRED)).singleElement()
                .satisfies(index -> assertThat(outcomes.verdict(index).status().toString()).isEqualTo("4.5.0"));
        assertThat(toPostmaster()).singleElement().satisfies(notice -> {
            assertThat(notice.getSender()).isNull();
            assertThat(notice.getMsg().getSubject()).isEqualTo("Postmaster Copy: LMTP protocol error with " + serverDestination());
            String text = (String) notice.getMsg().getContent();
            assertThat(text).contains("C: LHLO james.test", "C: MAIL FROM:<alice@a.test>", "C: RCPT TO:<odd@b.test>", "S: 354 go ahead")
                    .contains("protocol error: unexpected reply '354");
        });
    }

    @Test
    void theProtocolErrorNoticeShouldNeverShowTheAuthPassword() throws Exception {
        String password = "s3cret-Pa55";
        LmtpHandler authenticating = new LmtpHandler() {
            @Override
            public List<String> capabilities() {
                return List.of("PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME", "AUTH PLAIN");
            }

            @Override
            public Response auth(String args) {
                return args.strip().equalsIgnoreCase("PLAIN") ? Response.reply("334 ") : Response.reply("235 2.7.0 Authenticated");
            }

            @Override
            public Response authContinuation(String line, int step) {
                return Response.reply("235 2.7.0 Authenticated");
            }

            @Override
            public Response rcpt(String args, int index) {
                return Response.reply("354 go ahead");
            }
        };
        try (FakeLmtpServer auth = FakeLmtpServer.start(authenticating)) {
            java.nio.file.Path passwords = java.nio.file.Files.createTempFile(temp, "sasl_passwd", "");
            java.nio.file.Files.writeString(passwords, "[127.0.0.1]:" + auth.port() + " lmtpuser:" + password + "\n");
            mailet("destination", "inet:[127.0.0.1]:" + auth.port(), "notifyClasses", "protocol", "transcript", "true",
                    "saslPasswordMap", passwords.toString(), "saslSecurityOptions", "none");

            mailet.pipeline().attempt(TestMails.mail("alice@a.test", "odd@b.test"));

            assertThat(auth.commands(0)).anyMatch(command -> command.startsWith("AUTH PLAIN"));
            String encoded = java.util.Base64.getEncoder().encodeToString(("\0lmtpuser\0" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(toPostmaster()).singleElement().satisfies(notice -> assertThat((String) notice.getMsg().getContent())
                    .contains("C: AUTH PLAIN ****", "S: 354 go ahead")
                    .doesNotContain(password)
                    .doesNotContain(encoded));
            assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage)
                    .noneMatch(line -> line.contains(password) || line.contains(encoded));
        }
    }

    @Test
    void aStoreSyntaxErrorReplyShouldCountAsAProtocolError() throws Exception {
        handler.rcpt("x@b.test", "501 5.5.4 Syntax error in parameters");
        mailet("notifyClasses", "protocol");

        mailet.pipeline().attempt(TestMails.mail("alice@a.test", "x@b.test"));

        assertThat(toPostmaster()).hasSize(1);
    }

    @Test
    void anOrdinaryRejectionShouldNotNotifyThePostmaster() throws Exception {
        handler.rcpt("unknown@b.test", "550 5.1.1 User doesn't exist");
        mailet("notifyClasses", "protocol");

        mailet.pipeline().attempt(TestMails.mail("alice@a.test", "unknown@b.test"));

        assertThat(toPostmaster()).isEmpty();
        assertThat(context.getSentMails()).as("the sender's DSN").hasSize(1);
    }

    @Test
    void withoutNotifyClassesAProtocolErrorShouldNotNotifyThePostmaster() throws Exception {
        handler.rcpt("odd@b.test", "354 go ahead");
        mailet();

        mailet.pipeline().attempt(TestMails.mail("alice@a.test", "odd@b.test"));

        assertThat(toPostmaster()).isEmpty();
    }

    @Test
    void debugPeerListShouldLogTranscriptsAtInfoOnlyForTheListedDestinations() throws Exception {
        mailet("debugPeerList", "inet:[127.0.0.1]:" + server.port());

        mailet.pipeline().attempt(TestMails.mail("alice@a.test", "bob@b.test"));
        mailet.pipeline().attempt(TestMails.mail("alice@a.test", "carol@c.test"));

        assertThat(transcriptLinesAtInfo()).contains("m1 C: RCPT TO:<bob@b.test>")
                .noneMatch(line -> line.contains("carol@c.test"));
    }

    @Test
    void withoutDebugPeerListOrTranscriptNoTranscriptShouldBeLoggedAtInfo() throws Exception {
        mailet();

        mailet.pipeline().attempt(TestMails.mail("alice@a.test", "bob@b.test"));

        assertThat(transcriptLinesAtInfo()).isEmpty();
    }

    @Test
    void metricsShouldBeCountedAndTimedPerDestination() throws Exception {
        handler.rcpt("unknown@b.test", "550 5.1.1 User doesn't exist");
        otherHandler.rcpt("later@c.test", "450 4.2.1 later");
        mailet();
        String b = DeliveryMetrics.token(serverDestination());
        String c = DeliveryMetrics.token("inet:127.0.0.1:" + other.port());

        mailet.pipeline().attempt(TestMails.mail("alice@a.test", "bob@b.test", "unknown@b.test", "carol@c.test", "later@c.test"));

        assertThat(b).isEqualTo("inet_127.0.0.1_" + server.port());
        assertThat(metrics.countFor(DeliveryMetrics.DELIVERED + "." + b)).isEqualTo(1);
        assertThat(metrics.countFor(DeliveryMetrics.BOUNCED + "." + b)).isEqualTo(1);
        assertThat(metrics.countFor(DeliveryMetrics.DEFERRED + "." + b)).isZero();
        assertThat(metrics.countFor(DeliveryMetrics.DELIVERED + "." + c)).isEqualTo(1);
        assertThat(metrics.countFor(DeliveryMetrics.DEFERRED + "." + c)).isEqualTo(1);
        assertThat(metrics.countFor(DeliveryMetrics.DELIVERED)).isEqualTo(2);
        assertThat(metrics.executionTimesFor(DeliveryMetrics.ATTEMPT + "." + b)).hasSize(1);
        assertThat(metrics.executionTimesFor(DeliveryMetrics.ATTEMPT + "." + c)).hasSize(1);
    }

    @Test
    void everyLogLineOfAnAttemptShouldCarryTheQueueAndTheDestinationInTheMdc() throws Exception {
        handler.rcpt("unknown@b.test", "550 5.1.1 User doesn't exist");
        mailet("transcript", "true");
        appender.list.clear();

        mailet.pipeline().attempt(TestMails.mail("alice@a.test", "bob@b.test", "unknown@b.test"));

        assertThat(appender.list).as("the transcript, the attempt line, the DSN line").hasSizeGreaterThan(5);
        assertThat(appender.list).allSatisfy(event -> assertThat(event.getMDCPropertyMap())
                .containsEntry(AttemptMdc.QUEUE, "lmtp-hooks")
                .containsEntry(AttemptMdc.DESTINATION, serverDestination()));
        assertThat(appender.list).anySatisfy(event -> assertThat(event.getFormattedMessage()).startsWith("LMTP delivery of mail m1"));
        assertThat(org.slf4j.MDC.get(AttemptMdc.DESTINATION)).as("cleared after the attempt").isNull();
    }
}
