package dev.jameslmtp.it;

import static dev.jameslmtp.it.Lmtp.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.apache.james.utils.SMTPMessageSender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.demo.ActiveMQQueueModule;
import dev.jameslmtp.demo.WorkDirectory;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.Response;

/**
 * The delivery journal across a SIGKILL: a James (persistent ActiveMQ queue, in a JVM of its own)
 * is killed while the store, having answered the first recipient's 250 after the dot, holds the
 * others' replies. After the restart the queue hands the whole mail out again; the journal, in
 * James's working directory ({@code var/lmtp-journal/<queue>}, the default), says the first
 * recipient was delivered, so only the recipients without a final reply are sent again.
 */
class JournalRestartTest {

    private static final String QUEUE = "lmtp-journal-restart";

    private final AtomicBoolean stallAfterFirstReply = new AtomicBoolean(true);
    private final FakeLmtpServer store = FakeLmtpServer.start(new LmtpHandler() {
        @Override
        public List<Response> afterDot(List<String> acceptedRcptArgs, byte[] body) {
            List<Response> replies = new ArrayList<>();
            for (String rcpt : acceptedRcptArgs) {
                replies.add(Response.reply("250 2.0.0 <" + LmtpHandler.path(rcpt) + "> Saved"));
                if (stallAfterFirstReply.get()) {
                    replies.add(Response.stall());
                    return replies;
                }
            }
            return replies;
        }
    });
    private final Path workDir = WorkDirectory.of(getClass(), "james");
    private final Path journal = workDir.resolve("var/lmtp-journal/" + QUEUE);
    private EmbeddedJames james;

    @AfterEach
    void stop() {
        if (james != null) {
            james.close();
        }
        store.close();
    }

    @Test
    void aRecipientWhose2xxArrivedBeforeJamesWasKilledShouldNotBeDeliveredAgainAfterTheRestart() throws Exception {
        Process child = JamesProcess.startFresh(workDir, "inet:127.0.0.1:" + store.port(), QUEUE);
        try {
            int smtpPort = JamesProcess.smtpPortOf(child);
            List<String> recipients = List.of("bob@store.test", "carol@store.test", "dan@store.test");
            try (SMTPMessageSender sender = SMTPMessageSender.noAuthentication("127.0.0.1", smtpPort, EmbeddedJames.LOCAL_DOMAIN)) {
                sender.sendMessageWithHeaders(EmbeddedJames.SENDER, recipients,
                        TestMessage.create(EmbeddedJames.SENDER, recipients, "kill after the first reply").text());
            }
            AWAIT.atMost(Duration.ofSeconds(60)).until(() -> journalText().contains("0 delivered bob@store.test\n"));

            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("killed").isTrue();
        } finally {
            child.destroyForcibly();
        }
        assertThat(rcpts()).as("the killed attempt").containsExactly(
                "RCPT TO:<bob@store.test>", "RCPT TO:<carol@store.test>", "RCPT TO:<dan@store.test>");
        stallAfterFirstReply.set(false);

        Map<String, String> parameters = Lmtp.toDestination("inet:127.0.0.1:" + store.port());
        parameters.put("outgoing", QUEUE);
        james = EmbeddedJames.builder(workDir).lmtpDelivery("HostIs=store.test", parameters)
                .override(new ActiveMQQueueModule()).keepingWorkDir().start();

        AWAIT.atMost(Duration.ofSeconds(60)).until(() -> james.counter(Lmtp.DELIVERED) >= 2 && james.queueSize(QUEUE) == 0);
        assertThat(rcpts()).as("bob's 250 was read and written down before the kill: he is not sent again").containsExactly(
                "RCPT TO:<bob@store.test>", "RCPT TO:<carol@store.test>", "RCPT TO:<dan@store.test>",
                "RCPT TO:<carol@store.test>", "RCPT TO:<dan@store.test>");
        assertThat(james.counter(Lmtp.DELIVERED)).isEqualTo(2);
        AWAIT.until(() -> journalText(".journal").isEmpty());
    }

    /** The journal's text: its mails' own files ({@code .journal}) and the log's segments ({@code .log}), concatenated. */
    private String journalText() {
        return journalText(".journal") + journalText(".log");
    }

    /** The text of every journal file whose name ends with {@code suffix}, concatenated; empty when there is none. */
    private String journalText(String suffix) {
        if (!Files.isDirectory(journal)) {
            return "";
        }
        try (Stream<Path> files = Files.list(journal)) {
            StringBuilder text = new StringBuilder();
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(suffix)).toList()) {
                text.append(Files.readString(file, StandardCharsets.UTF_8));
            }
            return text.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
