package dev.jameslmtp.client;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Turns raw message bytes into the DATA stream of RFC 5321 §4.5.2, byte for byte, as they flow.
 *
 * <ul>
 *   <li>a {@code .} at the start of a line is doubled, including the very first line (Commons Net's
 *   {@code DotTerminatedMessageWriter} misses that one);</li>
 *   <li>bare LF and bare CR become CRLF; CRLF is kept;</li>
 *   <li>every other byte, 8-bit ones included, passes untouched;</li>
 *   <li>{@link #finish()} ends an unterminated last line with CRLF and writes {@code .CRLF}.</li>
 * </ul>
 * Nothing is buffered beyond one chunk of a write, so a message of any size streams.
 * {@link #close()} does not close the underlying stream (the connection lives on).
 */
final class DotStuffingOutputStream extends FilterOutputStream {

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte DOT = '.';

    private final byte[] chunk = new byte[16 * 1024];
    private int used;
    private boolean atLineStart = true;
    private boolean pendingCr;
    private long messageBytes;
    private boolean finished;

    DotStuffingOutputStream(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (finished) {
            throw new IOException("message already finished");
        }
        messageBytes += length;
        for (int i = offset; i < offset + length; i++) {
            byte b = bytes[i];
            if (pendingCr) {
                pendingCr = false;
                put(LF);
                atLineStart = true;
                if (b == LF) {
                    continue;
                }
            }
            if (b == CR) {
                put(CR);
                pendingCr = true;
            } else if (b == LF) {
                put(CR);
                put(LF);
                atLineStart = true;
            } else {
                if (atLineStart && b == DOT) {
                    put(DOT);
                }
                put(b);
                atLineStart = false;
            }
        }
        drain();
    }

    /** Ends the last line if needed and writes the terminating {@code .CRLF}; then flushes. */
    void finish() throws IOException {
        if (finished) {
            return;
        }
        if (pendingCr) {
            put(LF);
            pendingCr = false;
            atLineStart = true;
        }
        if (!atLineStart) {
            put(CR);
            put(LF);
        }
        put(DOT);
        put(CR);
        put(LF);
        drain();
        finished = true;
        out.flush();
    }

    /** How many bytes of message (before stuffing) were written. */
    long messageBytes() {
        return messageBytes;
    }

    @Override
    public void flush() throws IOException {
        drain();
        out.flush();
    }

    @Override
    public void close() throws IOException {
        drain();
    }

    private void put(byte b) throws IOException {
        if (used == chunk.length) {
            drain();
        }
        chunk[used++] = b;
    }

    private void drain() throws IOException {
        if (used > 0) {
            out.write(chunk, 0, used);
            used = 0;
        }
    }
}
