package dev.jameslmtp.client.wire;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * The socket's input with a deadline for a whole reply, not only for each read: as Postfix with
 * {@code lmtp_per_record_deadline = yes}, a server that drips a reply one byte at a time cannot keep
 * it alive past the stage's timeout. Before each read the socket's read timeout is set to the time
 * left (only when it changed by more than {@value #SLACK_MILLIS} ms, so that the usual reply costs
 * no system call); a read that would start after the deadline fails at once.
 *
 * <p>Over TLS that is not enough: one read of the {@code SSLSocket} reads a whole TLS record from
 * the plain socket, in as many reads as the peer likes, each given the full read timeout. So over
 * TLS each read also arms a {@link SocketDeadline} on the plain socket with the reply's deadline:
 * the watchdog closes the socket when it passes, and the read fails as a timeout.
 */
final class DeadlineInputStream extends FilterInputStream {

    static final int SLACK_MILLIS = 10;

    private final Socket socket;
    /** Over TLS, the deadline on the plain socket beneath; null on a plain socket. */
    private final SocketDeadline beneath;
    private long deadline;
    private long timeoutMillis;
    private int soTimeout = -1;

    /** On a plain socket: the read timeout is the deadline. */
    DeadlineInputStream(Socket socket, InputStream in) {
        this(socket, in, null);
    }

    /** On a TLS socket over {@code beneath}'s plain socket. */
    DeadlineInputStream(Socket socket, InputStream in, SocketDeadline beneath) {
        super(in);
        this.socket = socket;
        this.beneath = beneath;
    }

    /** The next reply must be complete within {@code nanos} from now. */
    void startReply(long nanos) {
        timeoutMillis = Math.max(1, nanos / 1_000_000);
        deadline = System.nanoTime() + nanos;
    }

    @Override
    public int read() throws IOException {
        arm();
        if (beneath == null) {
            return in.read();
        }
        try {
            return in.read();
        } catch (IOException e) {
            throw timeoutIfFired(e);
        } finally {
            beneath.disarm();
        }
    }

    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
        arm();
        if (beneath == null) {
            return in.read(bytes, offset, length);
        }
        try {
            return in.read(bytes, offset, length);
        } catch (IOException e) {
            throw timeoutIfFired(e);
        } finally {
            beneath.disarm();
        }
    }

    /** Stops the watch of the plain socket beneath, if any: the connection is being closed. */
    void unwatch() {
        if (beneath != null) {
            beneath.close();
        }
    }

    private void arm() throws IOException {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            throw notComplete();
        }
        int wanted = (int) Math.min(Integer.MAX_VALUE, left);
        if (Math.abs((long) wanted - soTimeout) > SLACK_MILLIS || soTimeout < 0) {
            socket.setSoTimeout(wanted);
            soTimeout = wanted;
        }
        if (beneath != null) {
            beneath.armUntil(deadline);
        }
    }

    private IOException timeoutIfFired(IOException e) {
        if (!beneath.fired()) {
            return e;
        }
        SocketTimeoutException timeout = notComplete();
        timeout.initCause(e);
        return timeout;
    }

    private SocketTimeoutException notComplete() {
        return new SocketTimeoutException("reply not complete within " + timeoutMillis + " ms");
    }
}
