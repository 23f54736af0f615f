package dev.jameslmtp.client.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.Content;
import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.Envelope;
import dev.jameslmtp.client.LmtpClient;
import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.wire.DotStuffingOutputStream;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;

/**
 * One pass over the content: to a server that wants its measure (SIZE, 8BITMIME), the content is
 * read once, measured and rendered on the same pass, when it fits the buffer; the bytes on the wire
 * and the declared SIZE are those of the content read twice.
 */
class RenderedContentTest {

    private static final Timeouts QUICK = Timeouts.defaults().withAll(Duration.ofSeconds(10));

    private FakeLmtpServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    /** A content that counts how often it is read, and is no {@code MeasuredContent}: nothing is remembered for it. */
    private static final class CountedReads implements Content {
        private final byte[] bytes;
        private final AtomicInteger reads = new AtomicInteger();

        CountedReads(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            reads.incrementAndGet();
            int half = bytes.length / 2; // two writes, a line end possibly split between them
            out.write(bytes, 0, half);
            out.write(bytes, half, bytes.length - half);
        }
    }

    private DeliveryResult deliver(boolean chunking, Content content) throws Exception {
        List<String> capabilities = new ArrayList<>(chunking ? LmtpHandler.CHUNKING_CAPABILITIES : LmtpHandler.DEFAULT_CAPABILITIES);
        capabilities.add("SIZE");
        server = FakeLmtpServer.start(LmtpHandler.withCapabilities(capabilities.toArray(String[]::new)));
        LmtpConnection connection = LmtpClient.builder().lhloName("client.test").timeouts(QUICK).useChunking(chunking).build()
                .connect(Destination.parse("inet:[127.0.0.1]:" + server.port()));
        DeliveryResult result = connection.deliver(Envelope.of("s@x.test", "a@y.test"), content);
        connection.quit();
        server.awaitClosed(0, Duration.ofSeconds(5));
        return result;
    }

    /** Lines that start with a dot, a bare LF, a bare CR, 8-bit bytes and no final line end: every rendering rule at once. */
    private static byte[] message(int size) {
        byte[] head = "Subject: once\r\n\r\n.leading dot\nbare LF\rbare CR\r\n\u00e9t\u00e9\r\n".getBytes(StandardCharsets.ISO_8859_1);
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = i < head.length ? head[i] : (byte) (i % 78 == 77 ? '\n' : 'a' + i % 26);
        }
        bytes[size - 1] = 'z';
        return bytes;
    }

    /** The bytes as the streaming path sends them: line ends made CRLF, stuffed for DATA (without the final dot line). */
    private static byte[] asSent(byte[] message, boolean chunking) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        DotStuffingOutputStream stream = chunking ? DotStuffingOutputStream.lineEndsOnly(out) : new DotStuffingOutputStream(out);
        stream.write(message);
        stream.finish();
        byte[] bytes = out.toByteArray();
        return chunking ? bytes : Arrays.copyOf(bytes, bytes.length - 3);
    }

    private static long lineEndsOnlySize(byte[] message) throws IOException {
        return asSent(message, true).length;
    }

    @ParameterizedTest(name = "chunking={0}")
    @ValueSource(booleans = {true, false})
    void aMessageThatFitsTheBufferShouldBeReadOnceAndSentByteForByteWithItsExactSize(boolean chunking) throws Exception {
        byte[] message = message(100 * 1024);
        CountedReads content = new CountedReads(message);

        DeliveryResult result = deliver(chunking, content);

        assertThat(result.allDelivered()).isTrue();
        assertThat(content.reads).as("reads of the content").hasValue(1);
        assertThat(server.bodies(0)).singleElement().isEqualTo(asSent(message, chunking));
        assertThat(server.commands(0)).contains("MAIL FROM:<s@x.test> BODY=8BITMIME SIZE=" + lineEndsOnlySize(message));
        if (chunking) {
            assertThat(server.commands(0)).contains("BDAT " + lineEndsOnlySize(message) + " LAST");
        }
    }

    @ParameterizedTest(name = "chunking={0}")
    @ValueSource(booleans = {true, false})
    void aMessageLargerThanTheBufferShouldBeMeasuredThenStreamedWithTheSameBytes(boolean chunking) throws Exception {
        byte[] message = message(BdatTransfer.CHUNK_BYTES + 4096);
        CountedReads content = new CountedReads(message);

        DeliveryResult result = deliver(chunking, content);

        assertThat(result.allDelivered()).isTrue();
        assertThat(content.reads).as("reads of the content").hasValue(2);
        assertThat(server.bodies(0)).singleElement().isEqualTo(asSent(message, chunking));
        assertThat(server.commands(0)).contains("MAIL FROM:<s@x.test> BODY=8BITMIME SIZE=" + lineEndsOnlySize(message));
    }

    @Test
    void aServerThatWantsNoMeasureShouldGetTheContentStreamedInOneRead() throws Exception {
        byte[] message = message(10 * 1024);
        CountedReads content = new CountedReads(message);
        server = FakeLmtpServer.start(LmtpHandler.withCapabilities("PIPELINING", "ENHANCEDSTATUSCODES"));
        LmtpConnection connection = LmtpClient.builder().lhloName("client.test").timeouts(QUICK).build()
                .connect(Destination.parse("inet:[127.0.0.1]:" + server.port()));

        DeliveryResult result = connection.deliver(Envelope.of("s@x.test", "a@y.test"), content);
        connection.quit();
        server.awaitClosed(0, Duration.ofSeconds(5));

        assertThat(result.allDelivered()).isTrue();
        assertThat(content.reads).hasValue(1);
        assertThat(server.commands(0)).contains("MAIL FROM:<s@x.test>");
        assertThat(server.bodies(0)).singleElement().isEqualTo(asSent(message, false));
    }

    @Test
    void aBufferReusedForAShorterMessageShouldSendOnlyThatMessage() throws Exception {
        server = FakeLmtpServer.start(LmtpHandler.withCapabilities("PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME", "SIZE"));
        LmtpConnection connection = LmtpClient.builder().lhloName("client.test").timeouts(QUICK).build()
                .connect(Destination.parse("inet:[127.0.0.1]:" + server.port()));
        byte[] first = "Subject: first\r\n\r\none, two, three, four\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] second = "Subject: second\r\n\r\ntwo\r\n".getBytes(StandardCharsets.US_ASCII);

        connection.deliver(Envelope.of("s@x.test", "a@y.test"), Content.of(first));
        connection.deliver(Envelope.of("s@x.test", "b@y.test"), Content.of(second));
        connection.quit();
        server.awaitClosed(0, Duration.ofSeconds(5));

        assertThat(server.bodies(0)).containsExactly(first, second);
    }
}
