package dev.jameslmtp.it;

import static dev.jameslmtp.it.Lmtp.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.jameslmtp.demo.WorkDirectory;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.Response;

/**
 * Issue 12's front door: a real James whose {@code VerifyRecipientInStore} verifies
 * {@value #HANG_DOMAIN} with a store that accepts connections and never says a word. Anonymous
 * SMTP clients pipelining {@code RCPT TO} for store users must not freeze James's SMTP network
 * threads: another client's greeting, and its {@code RCPT} for a James user, are answered promptly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FrontDoorHangingStoreTest {

    static final String HANG_DOMAIN = "hang.test";
    private static final int FLOOD_SESSIONS = 20;
    private static final int RCPTS_PER_SESSION = 5;
    /** Enough fresh sessions to meet each of James's SMTP network threads (2 x cores) at least twice. */
    private static final int CLIENTS = 8;
    /** A generous bound: the greeting takes milliseconds when nothing blocks James's threads. */
    private static final Duration PROMPT = Duration.ofSeconds(1);
    private static final int READ_TIMEOUT_MILLIS = 90_000;

    private FakeLmtpServer store;
    private EmbeddedJames james;

    @BeforeAll
    void startHangingStoreAndJames() throws Exception {
        store = FakeLmtpServer.start(new LmtpHandler() {
            @Override
            public Response greeting() {
                return Response.stall();
            }
        });
        james = EmbeddedJames.builder(WorkDirectory.of(getClass(), "james"))
                .domains(HANG_DOMAIN)
                .smtpHandlers("""
                        <handler class="dev.jameslmtp.smtp.VerifyRecipientInStore">
                            <destination>inet:[127.0.0.1]:%d</destination>
                            <connectTimeout>5 seconds</connectTimeout>
                            <replyTimeout>3 seconds</replyTimeout>
                        </handler>
                        """.formatted(store.port()))
                .start();
    }

    @AfterAll
    void stop() {
        if (james != null) {
            james.close();
        }
        if (store != null) {
            store.close();
        }
    }

    @Test
    void greetingAndRcptOfAJamesUserShouldBeAnsweredPromptlyWhileAnonymousSessionsPipelineRcptForAHangingStore() throws Exception {
        try (Client warmUp = Client.connect(james.smtpPort())) {
            warmUp.command("EHLO client.test");                         // James's first session loads its classes
        }
        Duration idleGreeting;
        try (Client idle = Client.connect(james.smtpPort())) {
            idleGreeting = idle.greetingTime();
        }
        List<Socket> flood = new ArrayList<>();
        try {
            for (int session = 0; session < FLOOD_SESSIONS; session++) {
                flood.add(pipelineRcptsForStoreUsers(session));
            }
            AWAIT.until(() -> store.connectionCount() > 0);              // a probe has reached the store

            Duration slowestGreeting = Duration.ZERO;
            Duration slowestRcpt = Duration.ZERO;
            List<Long> greetings = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                try (Client client = Client.connect(james.smtpPort())) {
                    greetings.add(client.greetingTime().toMillis());
                    slowestGreeting = max(slowestGreeting, client.greetingTime());
                    client.command("EHLO client.test");
                    client.command("MAIL FROM:<someone@elsewhere.test>");
                    long start = System.nanoTime();
                    String reply = client.command("RCPT TO:<" + EmbeddedJames.SENDER + ">");
                    slowestRcpt = max(slowestRcpt, Duration.ofNanos(System.nanoTime() - start));
                    assertThat(reply).as("RCPT for a James user").startsWith("250");
                }
            }
            System.out.printf("FrontDoorHangingStoreTest: greeting idle %d ms; under the flood: greetings %s ms,"
                    + " slowest RCPT for a James user %d ms (load average %s)%n", idleGreeting.toMillis(), greetings,
                    slowestRcpt.toMillis(), loadAverage());
            assertThat(slowestGreeting).as("slowest greeting of %d clients", CLIENTS).isLessThan(PROMPT);
            assertThat(slowestRcpt).as("slowest RCPT for a James user").isLessThan(PROMPT);
        } finally {
            for (Socket socket : flood) {
                socket.close();
            }
        }
    }

    @Test
    void rcptWithAControlCharacterShouldBeRefusedWith501AndTheSessionGoesOn() throws Exception {
        try (Client client = Client.connect(james.smtpPort())) {
            client.command("EHLO client.test");
            client.command("MAIL FROM:<someone@elsewhere.test>");

            assertThat(client.command("RCPT TO:<\"a\\\tb\"@" + HANG_DOMAIN + ">")).isEqualTo("501 5.1.3 Bad recipient address syntax");
            assertThat(client.command("RCPT TO:<" + EmbeddedJames.SENDER + ">")).startsWith("250");
        }
    }

    /** An anonymous session that sends EHLO, MAIL and five RCPT for store users in one write, and reads nothing more. */
    private Socket pipelineRcptsForStoreUsers(int session) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), james.smtpPort());
        StringBuilder commands = new StringBuilder("EHLO flood.test\r\nMAIL FROM:<flood@elsewhere.test>\r\n");
        for (int i = 0; i < RCPTS_PER_SESSION; i++) {
            commands.append("RCPT TO:<user").append(session).append('-').append(i).append('@').append(HANG_DOMAIN).append(">\r\n");
        }
        socket.getOutputStream().write(commands.toString().getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    /** The machine's load for the record (a busy machine delays greetings by itself); "?" where /proc is absent. */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "?";
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** A plain SMTP client that times its greeting and reads whole (multi-line) replies. */
    private static final class Client implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;
        private final OutputStream out;
        private final Duration greetingTime;

        private Client(Socket socket, long connectStart) throws IOException {
            this.socket = socket;
            this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            this.out = socket.getOutputStream();
            String greeting = reply();
            this.greetingTime = Duration.ofNanos(System.nanoTime() - connectStart);
            assertThat(greeting).startsWith("220");
        }

        static Client connect(int port) throws IOException {
            long start = System.nanoTime();
            Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            return new Client(socket, start);
        }

        Duration greetingTime() {
            return greetingTime;
        }

        String command(String line) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return reply();
        }

        private String reply() throws IOException {
            String line;
            do {
                line = in.readLine();
                if (line == null) {
                    throw new IOException("connection closed by James");
                }
            } while (line.length() > 3 && line.charAt(3) == '-');
            return line;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
