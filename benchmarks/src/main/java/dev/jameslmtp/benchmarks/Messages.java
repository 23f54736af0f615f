package dev.jameslmtp.benchmarks;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import dev.jameslmtp.client.Content;

/**
 * Test messages shaped like smtp-source's: a few header lines, then a payload of the given size
 * in 72-character lines of 'x' (smtp-source's {@code -l} counts the payload only).
 */
final class Messages {

    private Messages() {
    }

    static byte[] of(int payload) {
        StringBuilder text = new StringBuilder(payload + 256);
        text.append("From: <sender@sender.test>\r\nTo: <user@store.test>\r\nSubject: benchmark\r\n")
                .append("Message-Id: <bench@sender.test>\r\n\r\n");
        int written = 0;
        while (written < payload) {
            int line = Math.min(72, payload - written);
            text.append("x".repeat(Math.max(0, line - 2))).append("\r\n");
            written += Math.max(2, line);
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** A message of {@code size} bytes written in 64 KB pieces, never held whole: for the heap figure. */
    static Content streamed(long size) {
        byte[] block = new byte[64 * 1024];
        for (int i = 0; i < block.length; i++) {
            block[i] = (byte) (i % 74 == 72 ? '\r' : i % 74 == 73 ? '\n' : 'y');
        }
        return out -> writeStreamed(out, size, block);
    }

    private static void writeStreamed(OutputStream out, long size, byte[] block) throws IOException {
        out.write("Subject: big\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        for (long written = 0; written < size; written += block.length) {
            out.write(block, 0, (int) Math.min(block.length, size - written));
        }
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
}
