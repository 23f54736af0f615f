package dev.jameslmtp.it;

import static dev.jameslmtp.it.Lmtp.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.core.MailAddress;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.utils.SMTPMessageSender;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.demo.ActiveMQQueueModule;
import dev.jameslmtp.demo.WorkDirectory;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.Response;

/**
 * A James whose mail queue is persistent (embedded ActiveMQ with its KahaDB store under
 * {@code target/}, as in James's JPA flavour): deferred recipients, their retry counts and their
 * next attempt time survive a James stop and start, and after the restart only they are
 * delivered. A James stopped while an attempt waits for replies after the dot ends the attempt
 * cleanly: the recipient with a final reply stays delivered, the one without goes back on the
 * persistent queue and is delivered after the restart. A James killed (SIGKILL, in a JVM of its
 * own) while it waits for the replies after the dot has acknowledged nothing: after the restart
 * the queue hands the mail out again and its recipients, none of which had a final reply, are
 * delivered.
 */
class PersistentQueueRestartTest {

    private static final String QUEUE = "lmtp-persistent";

    private final AtomicBoolean carolsMailboxFull = new AtomicBoolean(true);
    private final AtomicBoolean stallAtCarol = new AtomicBoolean(false);
    private final AtomicBoolean stallAtFirstReply = new AtomicBoolean(false);
    private final AtomicInteger stalls = new AtomicInteger();
    private final FakeLmtpServer store = FakeLmtpServer.start(new LmtpHandler() {
        @Override
        public List<Response> afterDot(List<String> acceptedRcptArgs, byte[] body) {
            List<Response> replies = new ArrayList<>();
            if (stallAtFirstReply.get()) {
                stalls.incrementAndGet();
                return List.of(Response.stall());
            }
            for (String rcpt : acceptedRcptArgs) {
                if (rcpt.contains("carol@") && stallAtCarol.get()) {
                    stalls.incrementAndGet();
                    replies.add(Response.stall());
                    return replies;
                }
                boolean full = rcpt.contains("carol@") && carolsMailboxFull.get();
                replies.add(Response.reply(full ? "452 4.2.2 Mailbox full" : "250 2.0.0 Saved"));
            }
            return replies;
        }
    });
    private final Path workDir = WorkDirectory.of(getClass(), "james");
    private EmbeddedJames james;

    @AfterEach
    void stop() {
        if (james != null) {
            james.close();
        }
        store.close();
    }

    private EmbeddedJames start(boolean keepWorkDir) throws Exception {
        Map<String, String> parameters = Lmtp.toDestination("inet:127.0.0.1:" + store.port());
        parameters.put("outgoing", QUEUE);
        parameters.put("delayTime", "15 seconds");
        parameters.put("maxRetries", "3");
        EmbeddedJames.Builder builder = EmbeddedJames.builder(workDir)
                .lmtpDelivery("HostIs=store.test", parameters)
                .override(new ActiveMQQueueModule());
        return (keepWorkDir ? builder.keepingWorkDir() : builder).start();
    }

    @Test
    void deferredRecipientsWithTheirRetryCountAndNextAttemptTimeShouldSurviveAJamesRestart() throws Exception {
        james = start(false);
        List<String> recipients = List.of("bob@store.test", "carol@store.test");
        james.send(EmbeddedJames.SENDER, recipients, TestMessage.create(EmbeddedJames.SENDER, recipients, "restart").text());
        // the attempt counts before it puts carol back: wait until the queue holds her alone
        AWAIT.until(() -> james.counter(Lmtp.DEFERRED) == 1 && waiting().size() == 1
                && waiting().get(0).getMail().getRecipients().size() == 1);
        Waiting before = Waiting.of(waiting().get(0));
        assertThat(before.recipients()).containsExactly(new MailAddress("carol@store.test"));
        assertThat(before.retries()).isEqualTo(Map.of("carol@store.test", 1));

        james.close();
        james = null;
        james = start(true);

        List<ManageableMailQueue.MailQueueItemView> after = waiting();
        assertThat(after).hasSize(1);
        assertThat(Waiting.of(after.get(0))).isEqualTo(before);

        carolsMailboxFull.set(false);
        AWAIT.atMost(Duration.ofSeconds(60)).until(() -> james.counter(Lmtp.DELIVERED) == 1);
        assertThat(rcpts()).containsExactly("RCPT TO:<bob@store.test>", "RCPT TO:<carol@store.test>", "RCPT TO:<carol@store.test>");
        AWAIT.until(() -> james.queueSize(QUEUE) == 0);
    }

    @Test
    void stoppingJamesDuringAnAttemptShouldRedeliverOnlyTheRecipientsWithoutAFinalReply() throws Exception {
        stallAtCarol.set(true);
        james = start(false);
        List<String> recipients = List.of("bob@store.test", "carol@store.test");
        james.send(EmbeddedJames.SENDER, recipients, TestMessage.create(EmbeddedJames.SENDER, recipients, "stop").text());
        AWAIT.until(() -> stalls.get() == 1);

        james.close();
        james = null;
        stallAtCarol.set(false);
        carolsMailboxFull.set(false);
        james = start(true);

        List<ManageableMailQueue.MailQueueItemView> waiting = waiting();
        assertThat(waiting).hasSize(1);
        assertThat(Waiting.of(waiting.get(0)).recipients()).containsExactly(new MailAddress("carol@store.test"));
        AWAIT.atMost(Duration.ofSeconds(60)).until(() -> james.counter(Lmtp.DELIVERED) == 1);
        assertThat(rcpts()).containsExactly("RCPT TO:<bob@store.test>", "RCPT TO:<carol@store.test>", "RCPT TO:<carol@store.test>");
    }

    @Test
    void mailInFlightWhenJamesIsKilledShouldBeDeliveredAfterTheRestartToTheRecipientsWithoutAFinalReply() throws Exception {
        stallAtFirstReply.set(true);
        Process child = JamesProcess.startFresh(workDir, "inet:127.0.0.1:" + store.port(), QUEUE);
        try {
            int smtpPort = JamesProcess.smtpPortOf(child);
            List<String> recipients = List.of("bob@store.test", "carol@store.test");
            try (SMTPMessageSender sender = SMTPMessageSender.noAuthentication("127.0.0.1", smtpPort, EmbeddedJames.LOCAL_DOMAIN)) {
                sender.sendMessageWithHeaders(EmbeddedJames.SENDER, recipients,
                        TestMessage.create(EmbeddedJames.SENDER, recipients, "kill").text());
            }
            AWAIT.until(() -> stalls.get() == 1);

            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("killed").isTrue();
        } finally {
            child.destroyForcibly();
        }
        stallAtFirstReply.set(false);
        carolsMailboxFull.set(false);
        james = start(true);

        AWAIT.atMost(Duration.ofSeconds(60)).until(() -> james.counter(Lmtp.DELIVERED) == 2);
        assertThat(rcpts()).as("once in the killed attempt (no reply after the dot: the RFC 2033 window), once after the restart")
                .containsExactly("RCPT TO:<bob@store.test>", "RCPT TO:<carol@store.test>",
                        "RCPT TO:<bob@store.test>", "RCPT TO:<carol@store.test>");
        AWAIT.until(() -> james.queueSize(QUEUE) == 0);
    }

    /**
     * The mail waiting for the mailet: on its queue, or on the wait queue of the 15-second retry
     * (James's JMS queue keeps delays late, so the mailet keeps them there: {@code waitQueues}).
     */
    private List<ManageableMailQueue.MailQueueItemView> waiting() {
        List<ManageableMailQueue.MailQueueItemView> waiting = new ArrayList<>(james.queued(QUEUE));
        waiting.addAll(james.queued(QUEUE + "-wait-15s"));
        return waiting;
    }

    /** What the queue holds for a waiting mail: its recipients, their retry counts, its next attempt time. */
    record Waiting(List<MailAddress> recipients, Map<String, Integer> retries, Optional<ZonedDateTime> nextDelivery) {

        static Waiting of(ManageableMailQueue.MailQueueItemView view) {
            Mail mail = view.getMail();
            Optional<ZonedDateTime> due = mail.getAttribute(AttributeName.of("dev.jameslmtp.wait-due"))
                    .flatMap(attribute -> attribute.getValue().valueAs(Long.class))
                    .map(java.time.Instant::ofEpochMilli)
                    .or(() -> view.getNextDelivery().map(ZonedDateTime::toInstant))
                    .map(instant -> instant.atZone(java.time.ZoneOffset.UTC));
            return new Waiting(List.copyOf(mail.getRecipients()), retries(mail), due);
        }

        @SuppressWarnings("unchecked")
        private static Map<String, Integer> retries(Mail mail) {
            Map<String, Integer> retries = new java.util.HashMap<>();
            mail.getAttribute(AttributeName.of("lmtp-delivery-retries"))
                    .map(Attribute::getValue)
                    .map(AttributeValue::value)
                    .map(value -> (Map<String, AttributeValue<?>>) value)
                    .ifPresent(map -> map.forEach((address, count) -> retries.put(address, (Integer) count.value())));
            return retries;
        }
    }

    private List<String> rcpts() {
        List<String> rcpts = new ArrayList<>();
        for (int connection = 0; connection < store.connectionCount(); connection++) {
            store.commands(connection).stream().filter(command -> command.startsWith("RCPT")).forEach(rcpts::add);
        }
        return rcpts;
    }
}
