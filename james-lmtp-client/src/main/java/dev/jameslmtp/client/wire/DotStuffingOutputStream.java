package dev.jameslmtp.client.wire;

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
 * Each write is scanned once and passed on in runs of untouched bytes (the usual message has one
 * run per line, or one per write when its lines already end in CRLF and none starts with a dot);
 * nothing is copied or buffered here, so a message of any size streams. A failure of the
 * underlying stream is remembered ({@link #peerFailure()}), so that the caller can tell it from a
 * failure to read the message. {@link #close()} does not close the underlying stream.
 *
 * <p>{@link #lineEndsOnly} makes the stream for BDAT chunks (RFC 3030): line ends normalised alike,
 * but no dot doubled and no final dot; {@link #finish()} only ends an unterminated last line.
 */
public final class DotStuffingOutputStream extends FilterOutputStream {

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte DOT = '.';
    private static final byte[] CRLF = {CR, LF};
    private static final byte[] END = {DOT, CR, LF};

    private final byte[] one = new byte[1];
    private final boolean stuffing;
    private boolean atLineStart = true;
    /** The last byte written was a bare CR, already sent as CRLF: an LF right after it is dropped. */
    private boolean skipLf;
    private long messageBytes;
    private boolean finished;
    private IOException peerFailure;

    public DotStuffingOutputStream(OutputStream out) {
        this(out, true);
    }

    private DotStuffingOutputStream(OutputStream out, boolean stuffing) {
        super(out);
        this.stuffing = stuffing;
    }

    /** Line ends normalised as here, without dot-stuffing or final dot: the body of BDAT chunks. */
    public static DotStuffingOutputStream lineEndsOnly(OutputStream out) {
        return new DotStuffingOutputStream(out, false);
    }

    @Override
    public void write(int b) throws IOException {
        one[0] = (byte) b;
        write(one, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (finished) {
            throw new IOException("message already finished");
        }
        messageBytes += length;
        int end = offset + length;
        int run = offset; // start of the bytes not yet passed on
        int i = offset;
        while (i < end) {
            if (skipLf) {
                skipLf = false;
                if (bytes[i] == LF) {
                    run = ++i;
                    continue;
                }
            }
            if (atLineStart) {
                atLineStart = false;
                if (stuffing && bytes[i] == DOT) {
                    pass(bytes, run, i - run);
                    pass(END, 0, 1);
                    run = i; // the line's own dot follows in the run
                }
            }
            int eol = LineEnds.next(bytes, i, end);
            if (eol == end) {
                break;
            }
            atLineStart = true;
            if (bytes[eol] == LF) { // bare LF
                pass(bytes, run, eol - run);
                pass(CRLF, 0, 2);
                run = i = eol + 1;
            } else if (eol + 1 < end && bytes[eol + 1] == LF) { // CRLF stays in the run
                i = eol + 2;
            } else { // bare CR, or a CR whose LF may come in the next write
                pass(bytes, run, eol + 1 - run);
                pass(CRLF, 1, 1);
                run = i = eol + 1;
                skipLf = true;
            }
        }
        pass(bytes, run, end - run);
    }

    /** Ends the last line if needed and writes the terminating {@code .CRLF} (unless {@link #lineEndsOnly}); then flushes. */
    public void finish() throws IOException {
        if (finished) {
            return;
        }
        if (!atLineStart) {
            pass(CRLF, 0, 2);
        }
        if (stuffing) {
            pass(END, 0, 3);
        }
        finished = true;
        flush();
    }

    /** How many bytes of message (before stuffing) were written. */
    public long messageBytes() {
        return messageBytes;
    }

    /** The failure of the underlying stream (the socket), if a write or flush failed. */
    public IOException peerFailure() {
        return peerFailure;
    }

    @Override
    public void flush() throws IOException {
        try {
            out.flush();
        } catch (IOException e) {
            peerFailure = e;
            throw e;
        }
    }

    @Override
    public void close() {
        // the connection lives on
    }

    private void pass(byte[] bytes, int offset, int length) throws IOException {
        if (length > 0) {
            try {
                out.write(bytes, offset, length);
            } catch (IOException e) {
                peerFailure = e;
                throw e;
            }
        }
    }
}
