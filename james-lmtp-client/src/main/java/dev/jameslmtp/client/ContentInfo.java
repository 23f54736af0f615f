package dev.jameslmtp.client;

import java.io.IOException;
import java.io.OutputStream;

/** What the client must know about the content before MAIL: its size and whether it has 8-bit bytes. */
record ContentInfo(long size, boolean eightBit) {

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
        return new ContentInfo(scanner.size, scanner.eightBit);
    }

    private static final class Scanner extends OutputStream {
        private long size;
        private boolean eightBit;

        @Override
        public void write(int b) {
            size++;
            eightBit |= (b & 0x80) != 0;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            size += length;
            if (!eightBit) {
                for (int i = offset; i < offset + length; i++) {
                    if (bytes[i] < 0) {
                        eightBit = true;
                        break;
                    }
                }
            }
        }
    }
}
