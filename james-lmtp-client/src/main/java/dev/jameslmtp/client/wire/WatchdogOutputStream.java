package dev.jameslmtp.client.wire;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * Bounds every write to the socket. {@link Socket} has no write timeout, so a server that stops
 * reading would block a delivery forever. Here a write only arms a {@link SocketDeadline} (a
 * volatile field) and disarms it when done; the one {@link SocketWatchdog} thread of the JVM looks
 * at the deadlines a few times a second and closes the socket of a write that is past its own.
 * The blocked write then fails and is reported as a {@link SocketTimeoutException}. No timer
 * task, no lock and no allocation per write.
 */
final class WatchdogOutputStream extends FilterOutputStream {

    private final SocketDeadline deadline;
    private final byte[] one = new byte[1];
    private long timeoutNanos;

    WatchdogOutputStream(Socket socket, OutputStream out, long timeoutNanos) {
        super(out);
        this.deadline = new SocketDeadline(socket);
        this.timeoutNanos = timeoutNanos;
    }

    /** The bound for the writes from now on (the current stage's timeout). */
    void timeout(long nanos) {
        this.timeoutNanos = nanos;
    }

    @Override
    public void write(int b) throws IOException {
        one[0] = (byte) b;
        write(one, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        deadline.armUntil(System.nanoTime() + timeoutNanos);
        try {
            out.write(bytes, offset, length);
        } catch (IOException e) {
            if (deadline.fired()) {
                SocketTimeoutException timeout = new SocketTimeoutException("write timed out after " + timeoutNanos / 1_000_000 + " ms");
                timeout.initCause(e);
                throw timeout;
            }
            throw e;
        } finally {
            deadline.disarm();
        }
    }

    /** Stops watching: the socket is being closed. */
    @Override
    public void close() {
        deadline.close();
    }
}
