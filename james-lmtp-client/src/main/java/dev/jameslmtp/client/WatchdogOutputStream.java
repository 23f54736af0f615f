package dev.jameslmtp.client;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * Bounds every write to the socket. {@link Socket} has no write timeout, so a server that stops
 * reading would block a delivery forever. Here a write only publishes its deadline in a volatile
 * field and clears it when done; the one {@link SocketWatchdog} thread of the JVM looks at the
 * deadlines a few times a second and closes the socket of a write that is past its own. The
 * blocked write then fails and is reported as a {@link SocketTimeoutException}. No timer task, no
 * lock and no allocation per write.
 */
final class WatchdogOutputStream extends FilterOutputStream implements SocketWatchdog.Watched {

    private final Socket socket;
    private final byte[] one = new byte[1];
    private long timeoutNanos;
    /** {@link System#nanoTime()} by which the write in progress must be done; 0 when not writing. */
    private volatile long deadline;
    private volatile boolean fired;

    WatchdogOutputStream(Socket socket, OutputStream out, long timeoutNanos) {
        super(out);
        this.socket = socket;
        this.timeoutNanos = timeoutNanos;
        SocketWatchdog.watch(this);
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
        long armed = System.nanoTime() + timeoutNanos;
        deadline = armed == 0 ? 1 : armed;
        try {
            out.write(bytes, offset, length);
        } catch (IOException e) {
            if (fired) {
                SocketTimeoutException timeout = new SocketTimeoutException("write timed out after " + timeoutNanos / 1_000_000 + " ms");
                timeout.initCause(e);
                throw timeout;
            }
            throw e;
        } finally {
            deadline = 0;
        }
    }

    /** Stops watching: the socket is being closed. */
    @Override
    public void close() {
        SocketWatchdog.unwatch(this);
    }

    @Override
    public boolean check(long now) {
        if (socket.isClosed()) {
            return true;
        }
        long due = deadline;
        if (due != 0 && now - due > 0) {
            fired = true;
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing is all we can do
            }
            return true;
        }
        return false;
    }
}
