package dev.jameslmtp.client.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

import org.apache.commons.net.io.DotTerminatedMessageWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class DotStuffingOutputStreamTest {

    private static byte[] stuff(byte[] message) throws IOException {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        DotStuffingOutputStream data = new DotStuffingOutputStream(wire);
        data.write(message);
        data.finish();
        return wire.toByteArray();
    }

    private static String stuff(String message) throws IOException {
        return new String(stuff(message.getBytes(StandardCharsets.ISO_8859_1)), StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            first line starts with a dot      | .leading\\r\\nbody\\r\\n        | ..leading\\r\\nbody\\r\\n.\\r\\n
            a lone dot line                   | a\\r\\n.\\r\\nb\\r\\n            | a\\r\\n..\\r\\nb\\r\\n.\\r\\n
            a lone dot as the whole message   | .                                | ..\\r\\n.\\r\\n
            no final CRLF                     | Subject: x\\r\\n\\r\\nbody       | Subject: x\\r\\n\\r\\nbody\\r\\n.\\r\\n
            bare LF becomes CRLF              | a\\nb\\n                         | a\\r\\nb\\r\\n.\\r\\n
            bare CR becomes CRLF              | a\\rb\\r                         | a\\r\\nb\\r\\n.\\r\\n
            dot after a bare LF               | a\\n.b                           | a\\r\\n..b\\r\\n.\\r\\n
            dot after a bare CR               | a\\r.b                           | a\\r\\n..b\\r\\n.\\r\\n
            two dots                          | ..x\\r\\n                        | ...x\\r\\n.\\r\\n
            dot inside a line                 | a.b\\r\\n.c.\\r\\n               | a.b\\r\\n..c.\\r\\n.\\r\\n
            CR CR LF                          | a\\r\\r\\nb                      | a\\r\\n\\r\\nb\\r\\n.\\r\\n
            empty message                     | ''                               | .\\r\\n
            """)
    void finishShouldProduceTheRfc5321DataStream(String name, String message, String expected) throws IOException {
        assertThat(stuff(unescape(message))).isEqualTo(unescape(expected));
    }

    private static String unescape(String text) {
        return text.replace("\\r", "\r").replace("\\n", "\n");
    }

    @Test
    void writeShouldPassEightBitBytesUntouched() throws IOException {
        byte[] message = new byte[256];
        for (int i = 0; i < 256; i++) {
            message[i] = (byte) i;
        }
        byte[] wire = stuff(message);

        // Only 0x0A (bare LF -> CRLF) and 0x0D (bare CR -> CRLF) change; the unterminated last line gets CRLF.
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (int i = 0; i < 256; i++) {
            if (i == '\n' || i == '\r') {
                expected.write('\r');
                expected.write('\n');
            } else {
                expected.write(i);
            }
        }
        expected.writeBytes("\r\n.\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(wire).isEqualTo(expected.toByteArray());
    }

    @Test
    void outputShouldNotDependOnHowTheMessageIsChunked() throws IOException {
        byte[] message = ".a\r\n.\r\nb\nc\r.d\r\r\n\u00e9\u00ff.\r\n..\r\n.".getBytes(StandardCharsets.ISO_8859_1);
        byte[] whole = stuff(message);

        for (int chunk = 1; chunk <= message.length; chunk++) {
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            DotStuffingOutputStream data = new DotStuffingOutputStream(wire);
            for (int offset = 0; offset < message.length; offset += chunk) {
                data.write(message, offset, Math.min(chunk, message.length - offset));
            }
            data.finish();
            assertThat(wire.toByteArray()).as("chunks of %d bytes", chunk).isEqualTo(whole);
        }
    }

    @Test
    void bulkWritesShouldGiveTheSameBytesAsTheByteByByteRulesOnRandomMessages() throws IOException {
        java.util.Random random = new java.util.Random(20261130);
        byte[] alphabet = {'\r', '\n', '.', 'a', ' ', (byte) 0xe9, 0};
        for (int round = 0; round < 2000; round++) {
            byte[] message = new byte[random.nextInt(40)];
            for (int i = 0; i < message.length; i++) {
                message[i] = alphabet[random.nextInt(alphabet.length)];
            }
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            DotStuffingOutputStream data = new DotStuffingOutputStream(wire);
            for (int offset = 0; offset < message.length; ) {
                int length = Math.min(message.length - offset, 1 + random.nextInt(8));
                data.write(message, offset, length);
                offset += length;
            }
            data.finish();
            assertThat(wire.toByteArray()).as("message %s", java.util.Arrays.toString(message)).isEqualTo(byteByByte(message));
        }
    }

    /** RFC 5321 §4.5.2 with bare CR and LF made CRLF, one byte at a time: the rules, written plainly. */
    private static byte[] byteByByte(byte[] message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean lineStart = true;
        for (int i = 0; i < message.length; i++) {
            byte b = message[i];
            if (b == '\r' || b == '\n') {
                out.write('\r');
                out.write('\n');
                lineStart = true;
                if (b == '\r' && i + 1 < message.length && message[i + 1] == '\n') {
                    i++;
                }
            } else {
                if (lineStart && b == '.') {
                    out.write('.');
                }
                out.write(b);
                lineStart = false;
            }
        }
        if (!lineStart) {
            out.write('\r');
            out.write('\n');
        }
        out.write('.');
        out.write('\r');
        out.write('\n');
        return out.toByteArray();
    }

    @Test
    void unstuffingShouldGiveBackTheMessageWithCrlfLineEndings() throws IOException {
        byte[] message = ".one\r\n..two\r\nthree\r\n.\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] wire = stuff(message);
        byte[] body = java.util.Arrays.copyOf(wire, wire.length - 3); // without the terminating ".\r\n"

        assertThat(dev.jameslmtp.testing.FakeLmtpServer.unstuff(body)).isEqualTo(message);
    }

    /**
     * Commons Net 3.13.0's {@code DotTerminatedMessageWriter} starts in a state where it does not
     * look for a dot, so a message whose very first line starts with "." goes out unstuffed and the
     * server drops that dot (reference/libraries.md §1.7, defect 9). This is why the client does its
     * own dot-stuffing. If this test fails, Commons Net has fixed the defect in the version used.
     */
    @Test
    void commonsNetWriterShouldBeShownToMissTheFirstLeadingDot() throws IOException {
        StringWriter wire = new StringWriter();
        DotTerminatedMessageWriter writer = new DotTerminatedMessageWriter(wire);
        writer.write(".leading dot\r\nsecond\r\n");
        writer.close();

        assertThat(wire.toString()).isEqualTo(".leading dot\r\nsecond\r\n.\r\n");
        assertThat(stuff(".leading dot\r\nsecond\r\n")).isEqualTo("..leading dot\r\nsecond\r\n.\r\n");
    }

    /** Commons Net also passes a bare CR through, where RFC 5321 §2.3.8 wants CRLF only. */
    @Test
    void commonsNetWriterShouldBeShownToPassBareCarriageReturn() throws IOException {
        StringWriter wire = new StringWriter();
        DotTerminatedMessageWriter writer = new DotTerminatedMessageWriter(wire);
        writer.write("a\rb\r\n");
        writer.close();

        assertThat(wire.toString()).isEqualTo("a\rb\r\n.\r\n");
        assertThat(stuff("a\rb\r\n")).isEqualTo("a\r\nb\r\n.\r\n");
    }
}
