package dev.jameslmtp.client.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.ContentInfo;

/**
 * The eight-bytes-at-a-time search against a byte at a time, on random bytes chosen near the
 * values it must tell apart (CR, LF, their 8-bit twins 0x8D and 0x8A, 0x0B, 0x0C, 0x0E, 0x00,
 * 0xFF), at every alignment.
 */
class LineEndsTest {

    private static final byte[] ALPHABET = {'\r', '\n', (byte) 0x8D, (byte) 0x8A, 0x0B, 0x0C, 0x0E, 0x09, 0x00, (byte) 0xFF,
        (byte) 0x80, 0x7F, 'x', '.', '\r' ^ 0x01, '\n' ^ 0x01};

    private static byte[] random(Random random, int length, int ordinaryInTen) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = random.nextInt(10) < ordinaryInTen ? (byte) ('a' + random.nextInt(26)) : ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return bytes;
    }

    @Test
    void nextShouldFindTheFirstLineEndAsAByteAtATimeDoes() {
        Random random = new Random(2033);
        for (int round = 0; round < 20_000; round++) {
            byte[] bytes = random(random, random.nextInt(80), random.nextInt(11));
            int from = bytes.length == 0 ? 0 : random.nextInt(bytes.length + 1);
            int end = from + random.nextInt(bytes.length - from + 1);
            int expected = from;
            while (expected < end && bytes[expected] != '\r' && bytes[expected] != '\n') {
                expected++;
            }
            assertThat(LineEnds.next(bytes, from, end)).as("%s [%d, %d)", Arrays.toString(bytes), from, end).isEqualTo(expected);
        }
    }

    @Test
    void anyEightBitShouldSeeEveryHighBitAndNothingElse() {
        Random random = new Random(3030);
        for (int round = 0; round < 20_000; round++) {
            byte[] bytes = random(random, random.nextInt(80), random.nextInt(11));
            int from = bytes.length == 0 ? 0 : random.nextInt(bytes.length + 1);
            int end = from + random.nextInt(bytes.length - from + 1);
            boolean expected = false;
            for (int i = from; i < end; i++) {
                expected |= bytes[i] < 0;
            }
            assertThat(LineEnds.anyEightBit(bytes, from, end)).as("%s [%d, %d)", Arrays.toString(bytes), from, end).isEqualTo(expected);
        }
    }

    @Test
    void theMeasureShouldBeTheSameAsAByteAtATimeWhateverTheWrites() {
        Random random = new Random(5321);
        for (int round = 0; round < 5_000; round++) {
            byte[] message = random(random, random.nextInt(300), 5 + random.nextInt(6));
            ContentInfo.Scanner scanner = new ContentInfo.Scanner();
            for (int from = 0; from < message.length; ) {
                int to = from + 1 + random.nextInt(message.length - from);
                scanner.write(message, from, to - from);
                from = to;
            }
            assertThat(scanner.info()).as(Arrays.toString(message)).isEqualTo(byteAtATime(message));
        }
    }

    @Test
    void dotStuffingShouldMatchTheByteAtATimeReferenceOnLongRandomRunsWhateverTheWrites() throws Exception {
        Random random = new Random(821);
        for (int round = 0; round < 5_000; round++) {
            byte[] message = random(random, random.nextInt(300), 5 + random.nextInt(6));
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            DotStuffingOutputStream stuffing = new DotStuffingOutputStream(out);
            for (int from = 0; from < message.length; ) {
                int to = from + 1 + random.nextInt(message.length - from);
                stuffing.write(message, from, to - from);
                from = to;
            }
            stuffing.finish();
            assertThat(out.toByteArray()).as(Arrays.toString(message)).isEqualTo(DotStuffingFuzzTest.reference(message));
        }
    }

    /** The measure's rules one byte at a time: CR, LF and CRLF count as CRLF; a last line without an end gets one. */
    private static ContentInfo byteAtATime(byte[] message) {
        long size = 0;
        boolean cr = false;
        boolean eightBit = false;
        for (byte b : message) {
            if (b == '\r') {
                size += 2;
                cr = true;
            } else if (b == '\n') {
                size += cr ? 0 : 2;
                cr = false;
            } else {
                size++;
                cr = false;
                eightBit |= b < 0;
            }
        }
        boolean ended = message.length == 0 || message[message.length - 1] == '\r' || message[message.length - 1] == '\n';
        return new ContentInfo(ended ? size : size + 2, eightBit);
    }
}
