package dev.jameslmtp.client.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes {@link ReplyReader} and {@link Reply} with whatever a hostile server may send: every
 * reply read is well formed and the same however the bytes arrive, and the only failures are the
 * documented ones. Seeds: {@code src/test/resources/dev/jameslmtp/client/wire/ReplyReaderFuzzTestInputs/}.
 */
class ReplyReaderFuzzTest {

    /** One reply sequence as read: the replies, then how reading ended. */
    private record Reading(List<Reply> replies, Class<? extends IOException> end) {
    }

    @FuzzTest(maxDuration = "10m")
    void readShouldGiveTheSameWellFormedRepliesWhateverTheChunking(byte[] bytes) throws IOException {
        Reading whole = read(new ByteArrayInputStream(bytes));
        Reading byteByByte = read(new Trickle(bytes, new int[] {1}));
        Reading uneven = read(new Trickle(bytes, new int[] {1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597}));

        assertThat(byteByByte).isEqualTo(whole);
        assertThat(uneven).isEqualTo(whole);
        for (Reply reply : whole.replies()) {
            assertWellFormed(reply);
            assertReadsBackFromItsWireLines(reply);
        }
    }

    private static Reading read(InputStream in) {
        ReplyReader reader = new ReplyReader(in, Transcript.NONE);
        List<Reply> replies = new ArrayList<>();
        while (true) {
            try {
                replies.add(reader.read());
            } catch (LmtpProtocolException | EOFException e) {
                // the documented failures; anything else fails the fuzz test
                return new Reading(replies, e.getClass());
            } catch (IOException e) {
                throw new AssertionError("undocumented failure", e);
            }
            if (replies.size() > 10_000) {
                throw new AssertionError("more replies than bytes");
            }
        }
    }

    private static void assertWellFormed(Reply reply) {
        assertThat(reply.code()).isBetween(200, 599);
        assertThat(reply.lines()).isNotEmpty().hasSizeLessThanOrEqualTo(ReplyReader.MAX_LINES);
        int replyClass = reply.code() / 100;
        if (replyClass == 3) {
            assertThat(reply.status()).isEqualTo(EnhancedStatus.PROTOCOL_ERROR);
        } else {
            assertThat(reply.status().statusClass()).isEqualTo(replyClass);
        }
        for (String line : reply.lines()) {
            assertThat(line).doesNotContain("\n");
            // the limit is on the bytes read; a byte that is not UTF-8 becomes one U+FFFD (3 bytes in
            // UTF-8), so only the number of chars is bounded by it (found by the first campaign)
            assertThat(line.length()).isLessThanOrEqualTo(ReplyReader.MAX_LINE_BYTES);
        }
        assertThat(reply.isPositive() || reply.isIntermediate() || reply.isTransientNegative() || reply.isPermanentNegative()).isTrue();
        assertThat(reply.text()).isNotNull();
        assertThat(reply.toString()).startsWith(reply.code() + " " + reply.status());
    }

    /** What {@link Reply#wireLines()} gives is read back as the same reply (where it still fits the line limit). */
    private static void assertReadsBackFromItsWireLines(Reply reply) throws IOException {
        StringBuilder wire = new StringBuilder();
        for (String line : reply.wireLines()) {
            wire.append(line).append("\r\n");
        }
        byte[] bytes = wire.toString().getBytes(StandardCharsets.UTF_8);
        boolean fits = reply.wireLines().stream()
                .allMatch(line -> line.getBytes(StandardCharsets.UTF_8).length + 2 <= ReplyReader.MAX_LINE_BYTES);
        if (fits) {
            ReplyReader again = new ReplyReader(new ByteArrayInputStream(bytes), Transcript.NONE);
            assertThat(again.read()).isEqualTo(reply);
            assertThat(again.buffered()).isZero();
        }
    }

    /** Gives the bytes in reads of the sizes given (cycling), as a slow or hostile peer would. */
    private static final class Trickle extends InputStream {
        private final byte[] bytes;
        private final int[] sizes;
        private int at;
        private int turn;

        Trickle(byte[] bytes, int[] sizes) {
            this.bytes = bytes;
            this.sizes = sizes;
        }

        @Override
        public int read() {
            return at < bytes.length ? bytes[at++] & 0xff : -1;
        }

        @Override
        public int read(byte[] into, int offset, int length) {
            if (at >= bytes.length) {
                return -1;
            }
            int size = Math.min(Math.min(length, bytes.length - at), sizes[turn++ % sizes.length]);
            System.arraycopy(bytes, at, into, offset, size);
            at += size;
            return size;
        }
    }
}
