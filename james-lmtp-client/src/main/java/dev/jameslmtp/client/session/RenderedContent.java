package dev.jameslmtp.client.session;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

import dev.jameslmtp.client.Content;
import dev.jameslmtp.client.ContentException;
import dev.jameslmtp.client.ContentInfo;
import dev.jameslmtp.client.wire.DotStuffingOutputStream;

/**
 * The content read once, before MAIL, when the server wants its measure (SIZE, 8BITMIME): measured
 * (size as sent, without the stuffing; 8-bit or not) and, on the same pass, rendered as it will go
 * out, into the connection's buffer: line ends made CRLF, and dot-stuffed with the final dot for
 * DATA; line ends only for BDAT. When the whole of it fits in {@value BdatTransfer#CHUNK_BYTES}
 * bytes (most mail), the transfer sends the buffer, one {@code BDAT n LAST} chunk or the DATA
 * payload, and the content is read once; a larger content is measured to its end and read again
 * while it is sent, as before. The bytes on the wire are the same either way.
 */
final class RenderedContent extends OutputStream {

    private final ContentInfo.Scanner scanner = new ContentInfo.Scanner();
    private final DotStuffingOutputStream rendering;
    private final boolean stuffed;
    private byte[] buffer;
    private int length;
    private boolean overflow;

    private RenderedContent(boolean stuffed, byte[] buffer) {
        this.stuffed = stuffed;
        this.buffer = buffer == null ? new byte[8 * 1024] : buffer;
        OutputStream sink = new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int count) {
                keep(bytes, offset, count);
            }
        };
        this.rendering = stuffed ? new DotStuffingOutputStream(sink) : DotStuffingOutputStream.lineEndsOnly(sink);
    }

    /**
     * Reads {@code content} once into {@code buffer} (grown when needed, up to {@value BdatTransfer#CHUNK_BYTES}),
     * dot-stuffed when {@code stuffed}.
     *
     * @throws ContentException when the content cannot be read
     */
    static RenderedContent of(Content content, boolean stuffed, byte[] buffer) throws ContentException {
        RenderedContent rendered = new RenderedContent(stuffed, buffer);
        try {
            content.writeTo(rendered);
            if (!rendered.overflow) {
                rendered.rendering.finish();
            }
        } catch (IOException e) {
            throw e instanceof ContentException known ? known : new ContentException(e);
        } catch (RuntimeException e) {
            throw new ContentException(new IOException(e.toString(), e));
        }
        return rendered;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int count) throws IOException {
        scanner.write(bytes, offset, count);
        if (!overflow) {
            rendering.write(bytes, offset, count);
        }
    }

    private void keep(byte[] bytes, int offset, int count) {
        if (overflow) {
            return;
        }
        if (length + count > BdatTransfer.CHUNK_BYTES) {
            overflow = true;
            return;
        }
        if (length + count > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.min(BdatTransfer.CHUNK_BYTES, Math.max(length + count, 2 * buffer.length)));
        }
        System.arraycopy(bytes, offset, buffer, length, count);
        length += count;
    }

    /** The measure of the whole content. */
    ContentInfo info() {
        return scanner.info();
    }

    /** Whether the whole content is in {@link #buffer}: else it is sent as a stream. */
    boolean whole() {
        return !overflow;
    }

    /** The buffer, grown or not: the connection keeps it for the next message. */
    byte[] buffer() {
        return buffer;
    }

    /** The rendered bytes in {@link #buffer}: for DATA, the final {@code .CRLF} included. */
    int length() {
        return length;
    }

    boolean stuffed() {
        return stuffed;
    }

    /** The content's own bytes, before stuffing and line-end changes: for the transcript. */
    long messageBytes() {
        return rendering.messageBytes();
    }
}
