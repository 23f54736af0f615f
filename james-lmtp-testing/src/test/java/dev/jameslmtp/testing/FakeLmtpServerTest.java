package dev.jameslmtp.testing;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class FakeLmtpServerTest {

    private static final Path TARGET = Path.of("target");

    private static Socket connect(FakeLmtpServer server) throws IOException {
        Socket socket = new Socket("127.0.0.1", server.port());
        socket.setSoTimeout(5000);
        return socket;
    }

    private static BufferedReader reader(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), ISO_8859_1));
    }

    private static void write(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(ISO_8859_1));
        out.flush();
    }

    private static List<String> readLines(BufferedReader in, int count) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            lines.add(in.readLine());
        }
        return lines;
    }

    @Test
    void pipelinedCommandsInOneWriteShouldGetRepliesInOrder() throws Exception {
        try (FakeLmtpServer server = FakeLmtpServer.start(LmtpHandler.defaults());
             Socket socket = connect(server)) {
            BufferedReader in = reader(socket);
            assertThat(in.readLine()).isEqualTo("220 fake.test LMTP ready");

            write(socket, "LHLO client.test\r\nMAIL FROM:<s@x.test>\r\nRCPT TO:<a@x.test>\r\nRCPT TO:<b@x.test>\r\nDATA\r\n");

            assertThat(readLines(in, 8)).containsExactly(
                    "250-fake.test", "250-PIPELINING", "250-ENHANCEDSTATUSCODES", "250 8BITMIME",
                    "250 2.1.0 Ok", "250 2.1.5 Ok", "250 2.1.5 Ok", "354 go ahead");
            write(socket, "Subject: t\r\n\r\n..dot\r\n.\r\n");
            assertThat(readLines(in, 2)).containsExactly("250 2.0.0 <a@x.test> Saved", "250 2.0.0 <b@x.test> Saved");
            write(socket, "QUIT\r\n");
            assertThat(in.readLine()).isEqualTo("221 2.0.0 Bye");
            assertThat(in.readLine()).isNull();

            assertThat(server.commands(0)).containsExactly("LHLO client.test", "MAIL FROM:<s@x.test>",
                    "RCPT TO:<a@x.test>", "RCPT TO:<b@x.test>", "DATA", "QUIT");
            assertThat(server.connectionCount()).isEqualTo(1);
        }
    }

    @Test
    void bodyAndReceivedBytesShouldBeRecordedExactly() throws Exception {
        String conversation = "LHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<a@x.test>\r\nDATA\r\n";
        String body = "Subject: \u00e9\r\n\r\n..leading dot\r\nbare\nlf\r\n.\r\n";
        try (FakeLmtpServer server = FakeLmtpServer.start(LmtpHandler.defaults());
             Socket socket = connect(server)) {
            BufferedReader in = reader(socket);
            readLines(in, 1);
            write(socket, conversation);
            readLines(in, 7);
            write(socket, body);
            assertThat(in.readLine()).isEqualTo("250 2.0.0 <a@x.test> Saved");
            write(socket, "QUIT\r\n");
            assertThat(in.readLine()).startsWith("221");

            assertThat(server.receivedText(0)).isEqualTo(conversation + body + "QUIT\r\n");
            assertThat(server.bodies(0)).hasSize(1);
            assertThat(new String(server.bodies(0).get(0), ISO_8859_1))
                    .isEqualTo("Subject: \u00e9\r\n\r\n..leading dot\r\nbare\nlf\r\n");
            assertThat(new String(FakeLmtpServer.unstuff(server.bodies(0).get(0)), ISO_8859_1))
                    .isEqualTo("Subject: \u00e9\r\n\r\n.leading dot\r\nbare\nlf\r\n");
        }
    }

    @Test
    void afterDotShouldSendScriptedRepliesThenDrop() throws Exception {
        LmtpHandler handler = new LmtpHandler() {
            @Override
            public Response rcpt(String args, int index) {
                return index == 1 ? Response.reply("550 5.1.1 No such user") : Response.reply("250 2.1.5 Ok");
            }

            @Override
            public List<Response> afterDot(List<String> accepted, byte[] body) {
                return List.of(Response.reply("250 2.0.0 first", "garbage"), Response.drop());
            }
        };
        try (FakeLmtpServer server = FakeLmtpServer.start(handler);
             Socket socket = connect(server)) {
            BufferedReader in = reader(socket);
            readLines(in, 1);
            write(socket, "LHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<a@x>\r\nRCPT TO:<b@x>\r\nRCPT TO:<c@x>\r\nDATA\r\n");
            assertThat(readLines(in, 9)).endsWith("250 2.1.5 Ok", "550 5.1.1 No such user", "250 2.1.5 Ok", "354 go ahead");
            write(socket, "x\r\n.\r\n");
            assertThat(readLines(in, 3)).containsExactly("250 2.0.0 first", "garbage", null);
            assertThat(server.awaitClosed(0, Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void dropShouldCloseWithoutReplyAndDelayShouldStillReply() throws Exception {
        LmtpHandler handler = new LmtpHandler() {
            @Override
            public Response mail(String args) {
                return Response.delay(Duration.ofMillis(200), Response.reply("250 2.1.0 Late"));
            }

            @Override
            public Response rcpt(String args, int index) {
                return Response.drop();
            }
        };
        try (FakeLmtpServer server = FakeLmtpServer.start(handler);
             Socket socket = connect(server)) {
            BufferedReader in = reader(socket);
            readLines(in, 1);
            write(socket, "MAIL FROM:<>\r\nRCPT TO:<a@x>\r\n");
            long start = System.nanoTime();
            assertThat(in.readLine()).isEqualTo("250 2.1.0 Late");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
            assertThat(in.readLine()).isNull();
        }
    }

    @Test
    void dataShouldBeRefusedWithoutAcceptedRecipientsAndLhloShouldListConfiguredCapabilities() throws Exception {
        try (FakeLmtpServer server = FakeLmtpServer.start(LmtpHandler.withCapabilities("SIZE 1000", "AUTH PLAIN"));
             Socket socket = connect(server)) {
            BufferedReader in = reader(socket);
            readLines(in, 1);
            write(socket, "LHLO c\r\nMAIL FROM:<>\r\nDATA\r\nEHLO c\r\nRSET\r\nNOOP\r\n");
            assertThat(readLines(in, 8)).containsExactly("250-fake.test", "250-SIZE 1000", "250 AUTH PLAIN",
                    "250 2.1.0 Ok", "503 5.5.1 No valid recipients", "500 5.5.2 Unknown command",
                    "250 2.0.0 Ok", "250 2.0.0 Ok");
        }
    }

    @Test
    void stallShouldKeepTheConnectionOpenSilentlyUntilTheServerCloses() throws Exception {
        LmtpHandler handler = new LmtpHandler() {
            @Override
            public Response lhlo(String arg) {
                return Response.stall();
            }
        };
        FakeLmtpServer server = FakeLmtpServer.start(handler);
        try (Socket socket = connect(server)) {
            socket.setSoTimeout(300);
            BufferedReader in = reader(socket);
            readLines(in, 1);
            write(socket, "LHLO c\r\n");
            assertThat(readTimesOut(in)).isTrue();
            server.close();
            socket.setSoTimeout(5000);
            assertThat(in.readLine()).isNull();
        } finally {
            server.close();
        }
    }

    private static boolean readTimesOut(BufferedReader in) throws IOException {
        try {
            in.readLine();
            return false;
        } catch (java.net.SocketTimeoutException expected) {
            return true;
        }
    }

    @Test
    void connectionsShouldBeNumberedAndRecordedSeparately() throws Exception {
        try (FakeLmtpServer server = FakeLmtpServer.start(LmtpHandler.defaults());
             Socket first = connect(server);
             Socket second = connect(server)) {
            BufferedReader in1 = reader(first);
            BufferedReader in2 = reader(second);
            readLines(in1, 1);
            readLines(in2, 1);
            write(second, "NOOP\r\n");
            write(first, "RSET\r\n");
            readLines(in1, 1);
            readLines(in2, 1);
            assertThat(server.connectionCount()).isEqualTo(2);
            assertThat(List.of(server.commands(0), server.commands(1)))
                    .containsExactlyInAnyOrder(List.of("NOOP"), List.of("RSET"));
        }
    }

    @Test
    void unixSocketServerShouldConverse() throws Exception {
        Path socketFile = TARGET.resolve("fake-lmtp-test.sock");
        try (FakeLmtpServer server = FakeLmtpServer.startUnix(socketFile, LmtpHandler.defaults());
             SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            assertThat(server.socketPath()).isEqualTo(socketFile.toAbsolutePath());
            channel.connect(UnixDomainSocketAddress.of(server.socketPath()));
            channel.write(ByteBuffer.wrap("NOOP\r\nQUIT\r\n".getBytes(ISO_8859_1)));
            // the server closes after QUIT, so reading to end of stream is bounded
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            while (channel.read(buffer) >= 0 && buffer.hasRemaining()) {
                // keep reading
            }
            assertThat(new String(buffer.array(), 0, buffer.position(), ISO_8859_1))
                    .isEqualTo("220 fake.test LMTP ready\r\n250 2.0.0 Ok\r\n221 2.0.0 Bye\r\n");
            assertThat(server.commands(0)).containsExactly("NOOP", "QUIT");
        }
        assertThat(socketFile).doesNotExist();
    }

    @Test
    void authContinuationLinesShouldGoToTheHandler() throws Exception {
        LmtpHandler handler = new LmtpHandler() {
            @Override
            public Response auth(String args) {
                return Response.reply("334 VXNlcm5hbWU6");
            }

            @Override
            public Response authContinuation(String line, int step) {
                return step == 0 ? Response.reply("334 UGFzc3dvcmQ6") : Response.reply("235 2.7.0 Ok " + line);
            }
        };
        try (FakeLmtpServer server = FakeLmtpServer.start(handler);
             Socket socket = connect(server)) {
            BufferedReader in = reader(socket);
            readLines(in, 1);
            write(socket, "AUTH LOGIN\r\ndXNlcg==\r\ncGFzcw==\r\n");
            assertThat(readLines(in, 3)).containsExactly("334 VXNlcm5hbWU6", "334 UGFzc3dvcmQ6", "235 2.7.0 Ok cGFzcw==");
        }
    }
}
