package dev.jameslmtp.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's standard input, or a stream that fails with "standard input is closed" when the
 * command was started with it closed ({@code lmtp ... <&-}).
 *
 * <p>A closed descriptor 0 is not visible from Java: the JVM opens its own files first, and the
 * first of them becomes descriptor 0, so {@code System.in} would read the JVM's {@code lib/modules}
 * and the command would deliver it as the message. On Linux, {@code /proc/self/fd/0} shows where
 * descriptor 0 points; when that is inside {@code java.home}, standard input was closed. Elsewhere
 * the check is skipped (KNOWN LIMIT); the launcher script checks too.
 */
final class StandardInput {

    private StandardInput() {
    }

    static InputStream open() {
        return isClosed() ? closed() : System.in;
    }

    static InputStream closed() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("standard input is closed");
            }
        };
    }

    private static boolean isClosed() {
        Path fd0 = Path.of("/proc/self/fd/0");
        try {
            Path target = Files.readSymbolicLink(fd0);
            Path javaHome = Path.of(System.getProperty("java.home")).toRealPath();
            return target.startsWith(javaHome) || target.startsWith(Path.of(System.getProperty("java.home")));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }
}
