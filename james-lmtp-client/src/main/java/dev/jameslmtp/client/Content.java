package dev.jameslmtp.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The message itself (header and body, RFC 5322) as raw bytes. The client may call
 * {@link #writeTo} twice: once to measure the size and look for 8-bit bytes, once to send. The
 * bytes are sent untouched but for line endings (bare CR and bare LF become CRLF) and
 * dot-stuffing; no charset conversion ever happens, and the whole message is never held in memory.
 */
@FunctionalInterface
public interface Content {

    /** Writes the message; may be called more than once, and must write the same bytes each time. */
    void writeTo(OutputStream out) throws IOException;

    static Content of(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        return out -> out.write(bytes);
    }

    static Content of(Path file) {
        Objects.requireNonNull(file, "file");
        return out -> {
            try (InputStream in = Files.newInputStream(file)) {
                in.transferTo(out);
            }
        };
    }
}
