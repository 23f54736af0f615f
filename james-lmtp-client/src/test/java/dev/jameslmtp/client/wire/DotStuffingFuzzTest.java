package dev.jameslmtp.client.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes {@link DotStuffingOutputStream} against a byte-by-byte reference of RFC 5321 §4.5.2: the
 * same DATA stream for every message, whole, byte by byte, or cut in two where a line ends or a dot
 * stands.
 * Seeds: {@code src/test/resources/dev/jameslmtp/client/wire/DotStuffingFuzzTestInputs/}.
 */
class DotStuffingFuzzTest {

    /** Splits tried per message, at the bytes where the state carried between writes matters. */
    private static final int MAX_SPLITS = 32;

    @FuzzTest(maxDuration = "10m")
    void writeShouldMatchTheReferenceWhateverTheChunking(byte[] message) throws IOException {
        byte[] expected = reference(message);

        assertThat(stuffed(message, List.of())).isEqualTo(expected);
        assertThat(stuffedByteByByte(message)).isEqualTo(expected);
        int splits = 0;
        for (int at = 1; at < message.length && splits < MAX_SPLITS; at++) {
            if (isSpecial(message[at - 1]) || isSpecial(message[at])) {
                assertThat(stuffed(message, List.of(at))).as("split at %d", at).isEqualTo(expected);
                splits++;
            }
        }
    }

    /** The message in writes ending at {@code cuts}, each from the middle of a larger array so that the offset counts. */
    private static byte[] stuffed(byte[] message, List<Integer> cuts) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DotStuffingOutputStream stuffing = new DotStuffingOutputStream(out);
        int from = 0;
        for (int to : concat(cuts, message.length)) {
            byte[] carrier = new byte[to - from + 2];
            System.arraycopy(message, from, carrier, 1, to - from);
            stuffing.write(carrier, 1, to - from);
            from = to;
        }
        stuffing.finish();
        assertThat(stuffing.messageBytes()).isEqualTo(message.length);
        return out.toByteArray();
    }

    private static byte[] stuffedByteByByte(byte[] message) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DotStuffingOutputStream stuffing = new DotStuffingOutputStream(out);
        for (int i = 0; i < message.length; i++) {
            if (i % 2 == 0) {
                stuffing.write(message[i]);
            } else {
                stuffing.write(message, i, 1);
            }
        }
        stuffing.finish();
        return out.toByteArray();
    }

    private static List<Integer> concat(List<Integer> cuts, int end) {
        List<Integer> all = new ArrayList<>(cuts);
        all.add(end);
        return all;
    }

    private static boolean isSpecial(byte b) {
        return b == '\r' || b == '\n' || b == '.';
    }

    /** The rules one byte at a time: CR, LF and CRLF end a line as CRLF; a line's leading dot doubled. */
    static byte[] reference(byte[] message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean atLineStart = true;
        boolean afterCr = false;
        for (byte b : message) {
            if (afterCr) {
                afterCr = false;
                if (b == '\n') {
                    continue;
                }
            }
            if (b == '\r' || b == '\n') {
                out.write('\r');
                out.write('\n');
                afterCr = b == '\r';
                atLineStart = true;
                continue;
            }
            if (atLineStart && b == '.') {
                out.write('.');
            }
            atLineStart = false;
            out.write(b);
        }
        if (!atLineStart) {
            out.write('\r');
            out.write('\n');
        }
        out.write('.');
        out.write('\r');
        out.write('\n');
        return out.toByteArray();
    }
}
