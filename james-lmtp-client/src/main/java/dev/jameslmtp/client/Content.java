package dev.jameslmtp.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The message itself (header and body, RFC 5322) as raw bytes. The bytes are sent untouched but
 * for line endings (bare CR and bare LF become CRLF) and dot-stuffing; no charset conversion ever
 * happens, and the whole message is never held in memory.
 *
 * <p>Before MAIL the client needs the message's size and whether it has 8-bit bytes; a plain
 * {@code Content} is read once more for that, before each transaction. The contents made by
 * {@link #of(byte[])}, {@link #of(Path)} and {@link #measuredOnce(Content)} measure themselves
 * once and remember it, so a message sent in several transactions is measured once.
 */
@FunctionalInterface
public interface Content {

    /** Writes the message; may be called more than once, and must write the same bytes each time. */
    void writeTo(OutputStream out) throws IOException;

    static Content of(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        return new MeasuredContent(out -> out.write(bytes), () -> ContentInfo.of(bytes));
    }

    static Content of(Path file) {
        Objects.requireNonNull(file, "file");
        return measuredOnce(out -> {
            try (InputStream in = Files.newInputStream(file)) {
                in.transferTo(out);
            }
        });
    }

    /** {@code content}, measured at most once however many transactions send it. */
    static Content measuredOnce(Content content) {
        Objects.requireNonNull(content, "content");
        if (content instanceof MeasuredContent) {
            return content;
        }
        return new MeasuredContent(content, () -> ContentInfo.scan(content));
    }
}
