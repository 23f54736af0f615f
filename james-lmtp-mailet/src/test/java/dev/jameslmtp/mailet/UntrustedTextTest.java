package dev.jameslmtp.mailet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.queue.api.MailQueue;
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
import dev.jameslmtp.mailet.attempt.SessionTranscript;
import dev.jameslmtp.testing.DeliveryStatusNotification;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.Response;

/**
 * Text that came from outside (a store's reply, an address from SMTP) on its way to an operator or
 * a sender: the log line of an attempt, the MDC, the transcript, the postmaster's notice and the
 * DSN's text part. None may carry a control character, a line separator or a bidirectional mark
 * as it came; the log paths show them escaped, the DSN as {@code ?}.
 */
class UntrustedTextTest {

    /** ESC[31m, a bare CR, U+2028 and U+202E, as a hostile store would put them in a reply. */
    private static final String HOSTILE_REPLY = "550 5.1.1 \u001b[31mred\rforged\u2028line\u202Eevil";
    private static final String ESCAPED_REPLY_TEXT = "\\x1B[31mred\\x0Dforged\\u2028line\\u202Eevil";
    /** A quoted local part, as James's MailAddress accepts it: ESC, a C1 control (NEL) and U+202E. */
    private static final String HOSTILE_ADDRESS = "\"e\u001b[31mv\u0085i\u202El\"@b.test";
    private static final String ESCAPED_ADDRESS = "\"e\\x1B[31mv\\x85i\\u202El\"@b.test";

    /** The reply to {@code RCPT TO:<bob@b.test>}, sent as UTF-8 bytes as it is (bare CR included); 250 for everyone else. */
    private volatile String bobReply = "250 2.1.5 Ok";
    private final LmtpHandler handler = new LmtpHandler() {
        @Override
        public Response rcpt(String args, int index) {
            String reply = LmtpHandler.path(args).equals("bob@b.test") ? bobReply : "250 2.1.5 Ok";
            return Response.raw((reply + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
    };
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger mailetLogger = (Logger) LoggerFactory.getLogger("dev.jameslmtp.mailet");
    private Level previousLevel;
    private FakeLmtpServer server;
    private FakeMailContext context;
    private LmtpDelivery mailet;

    @BeforeEach
    void setUp() throws Exception {
        server = FakeLmtpServer.start(handler);
        context = FakeMailContext.builder().postmaster(new MailAddress("postmaster@james.test")).build();
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
    }

    private void mailet(String... parameters) throws Exception {
        Map<String, String> config = new HashMap<>(Map.of("destination", "inet:[127.0.0.1]:" + server.port(), "outgoing", "lmtp-untrusted"));
        for (int i = 0; i < parameters.length; i += 2) {
            config.put(parameters[i], parameters[i + 1]);
        }
        FakeMailetConfig.Builder builder = FakeMailetConfig.builder().mailetName("lmtp").mailetContext(context);
        config.forEach(builder::setProperty);
        mailet = new LmtpDelivery(new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory(), Clock.systemUTC()),
                new RecordingMetricFactory(), () -> "james.test", Clock.systemUTC(), LmtpDelivery.ConsumerMode.DO_NOT_START);
        mailet.init(builder.build());
    }

    /** As James's consumer hands it over: with the mail's MDC. */
    private void process(String sender, String... recipients) throws Exception {
        List<MailQueue.MailQueueItem.CompletionStatus> acknowledgements = new ArrayList<>();
        mailet.pipeline().consumer().process(new RecordingQueueItem(TestMails.mail(sender, recipients), acknowledgements));
        assertThat(acknowledgements).containsExactly(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
    }

    private ILoggingEvent attemptLine() {
        return appender.list.stream().filter(event -> event.getFormattedMessage().startsWith("LMTP delivery of mail"))
                .findFirst().orElseThrow(() -> new AssertionError("no attempt line in " + appender.list));
    }

    private static void assertNothingHidden(String text) {
        assertThat(text).doesNotContain("\u001b", "\r", "\n", "\u0085", "\u2028", "\u202E");
    }

    @Test
    void attemptLineShouldShowTheStoreReplyAndTheAddressesEscapedWhenTheyHoldControls() throws Exception {
        bobReply = HOSTILE_REPLY;
        mailet();

        process("alice@a.test", "bob@b.test", HOSTILE_ADDRESS);

        String line = attemptLine().getFormattedMessage();
        assertThat(line).contains("bob@b.test 550 5.1.1 (" + ESCAPED_REPLY_TEXT + ")", ESCAPED_ADDRESS + " 5.1.3");
        assertNothingHidden(line);
    }

    @Test
    void mdcShouldHoldTheSenderAndRecipientsEscapedWhenTheyHoldControls() throws Exception {
        String sender = "\"s\u001b]0;x\u2029\u202Dy\"@a.test";
        mailet();

        process(sender, "bob@b.test", HOSTILE_ADDRESS);

        Map<String, String> mdc = attemptLine().getMDCPropertyMap();
        assertThat(mdc.get("sender")).isEqualTo("\"s\\x1B]0;x\\u2029\\u202Dy\"@a.test");
        assertThat(mdc.get("recipients")).isEqualTo("[bob@b.test, " + ESCAPED_ADDRESS + "]");
        assertThat(appender.list).allSatisfy(event -> event.getMDCPropertyMap().values().forEach(UntrustedTextTest::assertNothingHidden));
        assertThat(org.slf4j.MDC.get("sender")).as("cleared after the mail").isNull();
    }

    @Test
    void transcriptShouldShowTheStoreReplyEscaped() throws Exception {
        bobReply = HOSTILE_REPLY;
        mailet("transcript", "true");

        process("alice@a.test", "bob@b.test");

        List<String> transcript = appender.list.stream().filter(event -> event.getLoggerName().equals(SessionTranscript.LOGGER_NAME))
                .map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(transcript).contains("m1 S: 550 5.1.1 " + ESCAPED_REPLY_TEXT);
        transcript.forEach(UntrustedTextTest::assertNothingHidden);
    }

    @Test
    void postmasterNoticeShouldShowTheStoreReplyEscaped() throws Exception {
        bobReply = "500 5.5.2 \u001b[31mred\rforged\u2028line\u202Eevil";
        mailet("notifyClasses", "protocol");

        process("alice@a.test", "bob@b.test");

        MailAddress postmaster = new MailAddress("postmaster@james.test");
        List<FakeMailContext.SentMail> notices = context.getSentMails().stream()
                .filter(sent -> sent.getRecipients().contains(postmaster)).toList();
        assertThat(notices).singleElement().satisfies(notice -> {
            String text = (String) notice.getMsg().getContent();
            assertThat(text).contains("S: 500 5.5.2 " + ESCAPED_REPLY_TEXT, "500 5.5.2 " + ESCAPED_REPLY_TEXT + " (RCPT)");
            assertThat(text.replace("\r\n", "")).doesNotContain("\u001b", "\r", "\n", "\u2028", "\u202E");
        });
    }

    @Test
    void dsnTextPartShouldBePrintableAsciiWhenTheRecipientAndTheReplyHoldControlsAndNonAscii() throws Exception {
        bobReply = "550 5.1.1 \u001b[31mno\rsuch\u2028\u00fcser\u202E";
        mailet();

        process("alice@a.test", "bob@b.test", HOSTILE_ADDRESS);

        MailAddress alice = new MailAddress("alice@a.test");
        FakeMailContext.SentMail sent = context.getSentMails().stream()
                .filter(mail -> mail.getRecipients().contains(alice)).findFirst().orElseThrow();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        sent.getMsg().writeTo(bytes);
        DeliveryStatusNotification dsn = DeliveryStatusNotification.parse(bytes.toByteArray());
        String text = dsn.humanReadable();
        assertThat(text).contains("<\"e?[31mv?i?l\"@b.test>: 5.1.3 bad destination mailbox address syntax",
                "<bob@b.test>: inet:[127.0.0.1]:" + server.port() + " said: 550 5.1.1 ?[31mno?such??ser? (in reply to RCPT TO command)");
        assertThat(text.replace("\r\n", "")).matches("[\\x20-\\x7e]*");
        assertThat(dsn.recipient("\"e?[31mv?i?l\"@b.test")).isPresent();
    }
}
