package dev.jameslmtp.client;

import java.io.IOException;
import java.net.Socket;

/**
 * A deadline on a plain socket for I/O that does not go through {@link Wire}'s deadline streams,
 * enforced by the {@link SocketWatchdog}: once armed and past due, the socket is closed, which
 * fails whatever call is blocked on it; {@link #disarm()} then says so, for the caller to report a
 * timeout rather than a lost connection. Armed and disarmed by one thread, checked by the watchdog.
 */
final class SocketDeadline implements SocketWatchdog.Watched {

    private final Socket socket;
    private volatile long deadline;
    private volatile boolean fired;

    SocketDeadline(Socket socket) {
        this.socket = socket;
    }

    /** From now on the socket is closed once {@code nanos} have passed, until {@link #disarm()}. */
    void arm(long nanos) {
        long due = System.nanoTime() + nanos;
        deadline = due == 0 ? 1 : due;
        SocketWatchdog.watch(this);
    }

    /** Stops watching; true when the deadline passed and the socket was closed. */
    boolean disarm() {
        deadline = 0;
        SocketWatchdog.unwatch(this);
        return fired;
    }

    @Override
    public boolean check(long now) {
        long due = deadline;
        if (due == 0 || socket.isClosed()) {
            return true;
        }
        if (now - due > 0) {
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
