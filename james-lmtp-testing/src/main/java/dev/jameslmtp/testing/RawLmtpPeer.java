package dev.jameslmtp.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The server side of one raw LMTP connection, byte by byte, for tests that must see exactly what
 * arrives before any reply (pipelining): greets, answers LHLO with the given extensions, then runs
 * the test's session. Every read times out after 5 seconds.
 */
public final class RawLmtpPeer {

    /** What the peer does after LHLO; returns what the test wants to see (e.g. a command group as it arrived). */
    public interface Session {
        String afterLhlo(InputStream in, OutputStream out) throws IOException;
    }

    private RawLmtpPeer() {
    }

    /** Accepts one connection on {@code listener} and serves it on another thread. */
    public static CompletableFuture<String> serve(ServerSocket listener, List<String> extensions, Session session) {
        return CompletableFuture.supplyAsync(() -> {
            try (Socket socket = listener.accept()) {
                socket.setSoTimeout(5000);
                OutputStream out = socket.getOutputStream();
                InputStream in = socket.getInputStream();
                out.write("220 raw ready\r\n".getBytes(StandardCharsets.US_ASCII));
                readUntil(in, "\r\n");
                StringBuilder lhlo = new StringBuilder("250-raw\r\n");
                for (int i = 0; i < extensions.size(); i++) {
                    lhlo.append(i == extensions.size() - 1 ? "250 " : "250-").append(extensions.get(i)).append("\r\n");
                }
                out.write(lhlo.toString().getBytes(StandardCharsets.US_ASCII));
                return session.afterLhlo(in, out);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    /** Reads byte by byte up to and including {@code end}. */
    public static String readUntil(InputStream in, String end) throws IOException {
        StringBuilder text = new StringBuilder();
        while (!text.toString().endsWith(end)) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed after " + text);
            }
            text.append((char) b);
        }
        return text.toString();
    }
}
