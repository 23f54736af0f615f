package dev.jameslmtp.testing;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

class DovecotLmtpServerTest {

    private static final String MESSAGE = "From: sender@client.test\r\nTo: alice@example.test\r\n"
            + "Subject: dovecot harness\r\n\r\nHello Dovecot\r\n.a line that starts with a dot\r\n";

    private DovecotLmtpServer server;

    private DovecotLmtpServer start(TestInfo test, DovecotOptions options) {
        Path workDir = Path.of("target", "dovecot", test.getTestMethod().orElseThrow().getName());
        server = DovecotLmtpServer.start(workDir, options);
        return server;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Dot-stuffs and terminates a message for DATA. */
    private static String data(String message) {
        return message.replace("\r\n.", "\r\n..") + ".\r\n";
    }

    /** LHLO .. DATA for the given users, then the message; returns every reply, in order. */
    private static List<String> deliver(RawLmtpClient client, String message, String... users) throws IOException {
        List<String> replies = new ArrayList<>();
        replies.add(client.reply());
        replies.add(client.command("LHLO client.test"));
        replies.add(client.command("MAIL FROM:<sender@client.test>"));
        int accepted = 0;
        for (String user : users) {
            String reply = client.command("RCPT TO:<" + user + "@example.test>");
            replies.add(reply);
            if (reply.startsWith("2")) {
                accepted++;
            }
        }
        replies.add(client.command("DATA"));
        client.send(data(message));
        for (int i = 0; i < accepted; i++) {
            replies.add(client.reply());
        }
        replies.add(client.command("QUIT"));
        return replies;
    }

    private void assertSingleRecipientConversation(RawLmtpClient client) throws IOException {
        List<String> replies = deliver(client, MESSAGE, "alice", "bob", "nobody", "carol");
        String log = server.logTail();
        assertThat(replies).as(log).containsExactly(
                "220 lmtp.example.test Dovecot (Debian) ready.",
                "250-lmtp.example.test\n250-8BITMIME\n250-CHUNKING\n250-ENHANCEDSTATUSCODES\n250 PIPELINING",
                "250 2.1.0 OK",
                "250 2.1.5 OK",
                "250 2.1.5 OK",
                "550 5.1.1 <nobody@example.test> User doesn't exist: nobody@example.test",
                "250 2.1.5 OK",
                "354 OK",
                replies.get(8), replies.get(9),
                "552 5.2.2 <carol@example.test> Quota exceeded (mailbox for user is full)",
                "221 2.0.0 Bye");
        assertThat(replies.get(8)).matches("250 2\\.0\\.0 <alice@example\\.test> \\S+ Saved");
        assertThat(replies.get(9)).matches("250 2\\.0\\.0 <bob@example\\.test> \\S+ Saved");

        for (String user : List.of("alice", "bob")) {
            List<byte[]> messages = server.messages(user);
            assertThat(messages).as(log).hasSize(1);
            String stored = new String(messages.get(0), ISO_8859_1);
            assertThat(stored).startsWith("Return-Path: <sender@client.test>\r\nReceived: from client.test")
                    .endsWith("\r\n" + MESSAGE).doesNotContain("Delivered-To:");
        }
        assertThat(server.messages("carol")).isEmpty();
    }

    @Test
    void deliveryOverTcpShouldStoreForKnownUsersAndRejectUnknownAndOverQuota(TestInfo test) throws Exception {
        start(test, DovecotOptions.defaults());
        assertThat(server.tcpDestination()).isEqualTo("inet:127.0.0.1:" + server.tcpPort());
        try (RawLmtpClient client = RawLmtpClient.tcp(server.tcpPort())) {
            assertSingleRecipientConversation(client);
        }
    }

    @Test
    void deliveryOverUnixSocketShouldBehaveTheSame(TestInfo test) throws Exception {
        start(test, DovecotOptions.defaults());
        assertThat(server.unixSocket()).isAbsolute().exists();
        assertThat(server.unixDestination()).isEqualTo("unix:" + server.unixSocket());
        try (RawLmtpClient client = RawLmtpClient.unix(server.unixSocket())) {
            assertSingleRecipientConversation(client);
        }
    }

    @Test
    void quotaFullTempfailShouldGive452(TestInfo test) throws Exception {
        start(test, DovecotOptions.defaults().quotaFullTempfail(true));
        try (RawLmtpClient client = RawLmtpClient.tcp(server.tcpPort())) {
            List<String> replies = deliver(client, MESSAGE, "carol", "alice");
            assertThat(replies.subList(5, 8)).as(server.logTail()).containsExactly(
                    "354 OK",
                    "452 4.2.2 <carol@example.test> Quota exceeded (mailbox for user is full)",
                    replies.get(7));
            assertThat(replies.get(7)).startsWith("250 2.0.0 <alice@example.test> ");
        }
    }

    @Test
    void raisingTheQuotaShouldLetTheNextDeliverySucceedWithoutRestart(TestInfo test) throws Exception {
        start(test, DovecotOptions.defaults());
        try (RawLmtpClient client = RawLmtpClient.tcp(server.tcpPort())) {
            assertThat(deliver(client, MESSAGE, "carol").get(5)).startsWith("552 5.2.2 ");
        }
        server.setQuota("carol", "*:storage=10M");
        try (RawLmtpClient client = RawLmtpClient.tcp(server.tcpPort())) {
            assertThat(deliver(client, MESSAGE, "carol").get(5)).as(server.logTail())
                    .startsWith("250 2.0.0 <carol@example.test> ");
        }
        assertThat(server.messages("carol")).hasSize(1);
        server.setQuota("carol", DovecotLmtpServer.TINY_QUOTA);
        try (RawLmtpClient client = RawLmtpClient.tcp(server.tcpPort())) {
            assertThat(deliver(client, MESSAGE, "carol").get(5)).startsWith("552 5.2.2 ");
        }
    }

    @Test
    void messagesShouldBeInDeliveryOrder(TestInfo test) throws Exception {
        start(test, DovecotOptions.defaults());
        for (int i = 0; i < 3; i++) {
            try (RawLmtpClient client = RawLmtpClient.tcp(server.tcpPort())) {
                deliver(client, "Subject: " + i + "\r\n\r\nbody " + i + "\r\n", "alice");
            }
        }
        assertThat(server.messages("alice")).extracting(bytes -> new String(bytes, ISO_8859_1))
                .satisfiesExactly(
                        m -> assertThat(m).endsWith("body 0\r\n")
                                .startsWith("Return-Path: <sender@client.test>\r\nDelivered-To: alice@example.test\r\n"),
                        m -> assertThat(m).endsWith("body 1\r\n"),
                        m -> assertThat(m).endsWith("body 2\r\n"));
    }

    @Test
    void workDirThatOthersCannotEnterShouldStillWork() throws Exception {
        Path closed = Files.createDirectories(Path.of("target", "dovecot-closed"));
        Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx------"));
        server = DovecotLmtpServer.start(closed.resolve("w"), DovecotOptions.defaults());
        try (RawLmtpClient client = RawLmtpClient.tcp(server.tcpPort())) {
            assertThat(deliver(client, MESSAGE, "alice").get(5)).as(server.logTail()).startsWith("250 2.0.0 ");
        }
        assertThat(server.messages("alice")).hasSize(1);
        assertThat(closed.resolve("w/dovecot.log")).exists();
    }

    @Test
    void closeShouldLeaveNoDovecotProcessBehind(TestInfo test) throws Exception {
        start(test, DovecotOptions.defaults());
        try (RawLmtpClient client = RawLmtpClient.tcp(server.tcpPort())) {
            deliver(client, MESSAGE, "alice");
        }
        Set<ProcessHandle> dovecot = ProcessHandle.current().descendants()
                .filter(p -> p.info().command().orElse("").contains("dovecot"))
                .collect(Collectors.toSet());
        assertThat(dovecot).isNotEmpty();

        server.close();

        assertThat(dovecot).noneMatch(ProcessHandle::isAlive);
        assertThatThrownBy(() -> RawLmtpClient.tcp(server.tcpPort())).isInstanceOf(IOException.class);
    }

    @Test
    void killShouldEndEveryDovecotProcessAtOnceAndRestartShouldServeTheSamePortWithTheMailKept(TestInfo test) throws Exception {
        start(test, DovecotOptions.defaults());
        try (RawLmtpClient client = RawLmtpClient.tcp(server.tcpPort())) {
            deliver(client, MESSAGE, "alice");
        }
        try (RawLmtpClient cut = RawLmtpClient.tcp(server.tcpPort())) {
            cut.reply();
            cut.command("LHLO client.test");
            cut.command("MAIL FROM:<sender@client.test>");
            cut.command("RCPT TO:<alice@example.test>");
            assertThat(cut.command("DATA")).startsWith("354");
            Set<ProcessHandle> dovecot = ProcessHandle.current().descendants()
                    .filter(p -> p.info().command().orElse("").contains("dovecot"))
                    .collect(Collectors.toSet());
            assertThat(dovecot).as("master, helpers and the LMTP process of this session").hasSizeGreaterThan(2);

            server.kill();

            assertThat(dovecot).as("killed or zombies (the init process reaps the orphans)").noneMatch(DovecotLmtpServerTest::running);
            assertThat(server.isRunning()).isFalse();
            assertThatThrownBy(() -> RawLmtpClient.tcp(server.tcpPort())).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> {
                cut.send("Subject: never ends\r\n\r\nbody\r\n.\r\n");
                cut.reply();
            }).as("the session cut mid-DATA gets no reply").isInstanceOf(IOException.class);
        }

        server.restart();

        assertThat(server.isRunning()).isTrue();
        try (RawLmtpClient client = RawLmtpClient.tcp(server.tcpPort())) {
            assertThat(deliver(client, MESSAGE, "alice")).contains("221 2.0.0 Bye");
        }
        assertThat(server.messages("alice")).as("the first mail kept, the cut one never stored, the last one stored").hasSize(2);
    }

    /** Alive and not a zombie, from {@code /proc/<pid>/stat}. */
    private static boolean running(ProcessHandle process) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            return process.isAlive() && stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false; // gone
        }
    }
}
