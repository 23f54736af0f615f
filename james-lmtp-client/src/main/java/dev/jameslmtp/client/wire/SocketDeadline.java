package dev.jameslmtp.client.wire;

import java.io.IOException;
import java.net.Socket;

/**
 * A deadline on a plain socket for I/O that its read timeout cannot bound, enforced by the
 * {@link SocketWatchdog}: while armed and past due, the socket is closed, which fails whatever
 * call is blocked on it; {@link #fired()} then says so, for the caller to report a timeout rather
 * than a lost connection. Watched from construction to {@link #close()} (or until the socket is
 * closed); armed and disarmed by one thread at a time, at the cost of a volatile write each.
 *
 * <p>Used where bytes pass beneath the deadline of {@link DeadlineInputStream}: the TLS handshake
 * ({@link TlsHandshake}) and each read of a TLS record, which the {@code SSLSocket} reads from the
 * plain socket in as many reads as the peer likes, each within the read timeout.
 */
public final class SocketDeadline implements SocketWatchdog.Watched {

    private final Socket socket;
    /** {@link System#nanoTime()} by which the I/O in progress must be done; 0 when disarmed. */
    private volatile long due;
    private volatile boolean fired;

    public SocketDeadline(Socket socket) {
        this.socket = socket;
        SocketWatchdog.watch(this);
    }

    /** From now on the socket is closed once {@link System#nanoTime()} passes {@code dueNanoTime}, until {@link #disarm()}. */
    public void armUntil(long dueNanoTime) {
        due = dueNanoTime == 0 ? 1 : dueNanoTime;
    }

    public void disarm() {
        due = 0;
    }

    /** True once the deadline passed and the socket was closed. */
    public boolean fired() {
        return fired;
    }

    /** Stops watching. */
    public void close() {
        SocketWatchdog.unwatch(this);
    }

    @Override
    public boolean check(long now) {
        if (socket.isClosed()) {
            return true;
        }
        long at = due;
        if (at != 0 && now - at > 0) {
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
