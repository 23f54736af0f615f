package dev.jameslmtp.client;

import java.io.IOException;
import java.io.OutputStream;

import dev.jameslmtp.client.wire.LineEnds;

/**
 * What the client must know about the content before MAIL: its size as sent and whether it has
 * 8-bit bytes.
 *
 * <p>The size is that of the message as the server will store it (RFC 1870 §3: "the number of
 * octets, including CR-LF pairs"): line ends counted after normalisation (a bare CR or bare LF
 * becomes CRLF, an unterminated last line gains one), dot-stuffing and the final dot not counted.
 * It is what {@code SIZE=} declares and what the server's advertised limit is checked against.
 */
public record ContentInfo(long size, boolean eightBit) {

    /** One pass over the content, without keeping it. @throws ContentException if it cannot be read */
    static ContentInfo scan(Content content) throws ContentException {
        Scanner scanner = new Scanner();
        try {
            content.writeTo(scanner);
        } catch (IOException e) {
            throw new ContentException(e);
        } catch (RuntimeException e) {
            throw new ContentException(new IOException(e.toString(), e));
        }
        return scanner.info();
    }

    /** {@link #scan} for bytes already in memory. */
    static ContentInfo of(byte[] bytes) {
        Scanner scanner = new Scanner();
        scanner.write(bytes, 0, bytes.length);
        return scanner.info();
    }

    /**
     * Measures what is written to it, as {@link #scan} does: the normalised size, as
     * {@link DotStuffingOutputStream} will write it, minus the stuffing; 8-bit or not.
     */
    public static final class Scanner extends OutputStream {
        private long size;
        private boolean eightBit;
        private boolean afterCr;
        private boolean atLineStart = true;

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            long counted = size;
            boolean cr = afterCr;
            boolean high = eightBit;
            int end = offset + length;
            long words = 0; // the ordinary runs, OR-ed, for their 8-bit bytes
            int i = offset;
            while (i < end) {
                if (i + Long.BYTES <= end) { // eight bytes at a time up to the next line end
                    long word = LineEnds.word(bytes, i);
                    long flags = LineEnds.flags(word);
                    int ordinary = flags == 0 ? Long.BYTES : LineEnds.firstFlagged(flags);
                    if (ordinary > 0) {
                        counted += ordinary;
                        words |= ordinary == Long.BYTES ? word : word & ((1L << (Byte.SIZE * ordinary)) - 1);
                        cr = false;
                        i += ordinary;
                        continue;
                    }
                }
                byte b = bytes[i++];
                if (b == '\r') {
                    counted += 2; // counted as CRLF whether or not an LF follows
                    cr = true;
                } else if (b == '\n') {
                    if (!cr) {
                        counted += 2;
                    }
                    cr = false;
                } else {
                    counted++;
                    cr = false;
                    high |= b < 0;
                }
            }
            high |= LineEnds.eightBit(words);
            if (length > 0) {
                byte last = bytes[end - 1];
                atLineStart = last == '\r' || last == '\n';
            }
            size = counted;
            afterCr = cr;
            eightBit = high;
        }

        /** The measure of everything written so far. */
        public ContentInfo info() {
            return new ContentInfo(atLineStart ? size : size + 2, eightBit);
        }
    }
}
