package dev.jameslmtp.it;

import static dev.jameslmtp.it.Lmtp.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.jameslmtp.demo.WorkDirectory;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;

/**
 * The bytes a store gets for a mail that went through a real James and LmtpDelivery are the bytes
 * James received over SMTP: the body byte for byte (8-bit bytes, lines starting with a dot,
 * trailing white space, a 990-byte line), each header field byte for byte (folding, spaces), plus
 * the {@code Received:} field James adds. The order of the fields is James's business: the
 * {@code RemoveMimeHeader} of its default transport processor saves the message, and saving moves
 * {@code MIME-Version} to the top (and would add a missing {@code Date}). The message is sent on a
 * raw socket, so that no client library rewrites it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExactBytesThroughJamesTest {

    private static final String DOMAIN = "store.test";

    private FakeLmtpServer store;
    private EmbeddedJames james;

    @BeforeAll
    void start() throws Exception {
        store = FakeLmtpServer.start(LmtpHandler.defaults());
        james = EmbeddedJames.builder(WorkDirectory.of(getClass(), "james"))
                .lmtpDelivery("HostIs=" + DOMAIN, Lmtp.toDestination("inet:127.0.0.1:" + store.port()))
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
    void storeShouldGetTheBodyAndEveryHeaderFieldJamesReceivedByteForByte() throws Exception {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        message.writeBytes(("From: " + EmbeddedJames.SENDER + "\r\n"
                + "To: alice@" + DOMAIN + "\r\n"
                + "Subject: exact bytes,\r\n\tfolded  \r\n"
                + "Message-ID: <exact-bytes@sender.test>\r\n"
                + "Date: Mon, 30 Nov 2026 11:00:00 +0000\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=ISO-8859-1\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n"
                + "X-Spaces:   several   spaces \t\r\n"
                + "\r\n"
                + ".a line starting with a dot\r\n"
                + "..two dots\r\n"
                + ".\r\n"
                + "trailing white space \t \r\n"
                + "\r\n").getBytes(StandardCharsets.US_ASCII));
        message.writeBytes("8-bit: \u00e9t\u00e9, \u00fcber, \u00df\r\n".getBytes(StandardCharsets.ISO_8859_1));
        message.writeBytes(("x".repeat(990) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        message.writeBytes("last line\r\n".getBytes(StandardCharsets.US_ASCII));
        byte[] sent = message.toByteArray();

        sendRaw(EmbeddedJames.SENDER, "alice@" + DOMAIN, sent);

        AWAIT.until(() -> !bodies().isEmpty());
        byte[] stored = FakeLmtpServer.unstuff(bodies().get(0));
        int storedBody = bodyStart(stored);
        int sentBody = bodyStart(sent);
        assertThat(Arrays.copyOfRange(stored, storedBody, stored.length)).as("body")
                .isEqualTo(Arrays.copyOfRange(sent, sentBody, sent.length));
        List<String> storedFields = fields(stored, storedBody);
        assertThat(storedFields).filteredOn(field -> field.startsWith("Received: ")).hasSize(1);
        assertThat(storedFields).filteredOn(field -> !field.startsWith("Received: "))
                .as("header fields, byte for byte (James's transport processor may reorder them)")
                .containsExactlyInAnyOrderElementsOf(fields(sent, sentBody));
    }

    /** The offset just after the empty line that ends the header. */
    private static int bodyStart(byte[] message) {
        String text = new String(message, StandardCharsets.ISO_8859_1);
        return text.indexOf("\r\n\r\n") + 4;
    }

    /** The header fields, each with its continuation lines and line ends, as raw text. */
    private static List<String> fields(byte[] message, int bodyStart) {
        String header = new String(message, 0, bodyStart - 2, StandardCharsets.ISO_8859_1);
        List<String> fields = new ArrayList<>();
        for (String line : header.split("(?<=\r\n)")) {
            if (line.startsWith(" ") || line.startsWith("\t")) {
                fields.set(fields.size() - 1, fields.get(fields.size() - 1) + line);
            } else {
                fields.add(line);
            }
        }
        return fields;
    }

    private List<byte[]> bodies() {
        List<byte[]> bodies = new ArrayList<>();
        for (int connection = 0; connection < store.connectionCount(); connection++) {
            bodies.addAll(store.bodies(connection));
        }
        return bodies;
    }

    /** One SMTP transaction on a raw socket: the message dot-stuffed by hand, nothing else changed. */
    private void sendRaw(String from, String to, byte[] message) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", james.smtpPort())) {
            socket.setSoTimeout(30_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            OutputStream out = socket.getOutputStream();
            expect(in, "220");
            command(out, in, "EHLO client.sender.test", "250");
            command(out, in, "MAIL FROM:<" + from + "> BODY=8BITMIME", "250");
            command(out, in, "RCPT TO:<" + to + ">", "250");
            command(out, in, "DATA", "354");
            String text = new String(message, StandardCharsets.ISO_8859_1);
            out.write(text.replace("\r\n.", "\r\n..").getBytes(StandardCharsets.ISO_8859_1));
            command(out, in, ".", "250");
            command(out, in, "QUIT", "221");
        }
    }

    private static void command(OutputStream out, BufferedReader in, String line, String expected) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        expect(in, expected);
    }

    /** Reads one (possibly multi-line) reply and checks its code. */
    private static void expect(BufferedReader in, String code) throws IOException {
        String line;
        do {
            line = in.readLine();
            assertThat(line).as("reply").isNotNull().startsWith(code);
        } while (line.length() > 3 && line.charAt(3) == '-');
    }
}
