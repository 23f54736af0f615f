package dev.jameslmtp.client;

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
 */
final class DeadlineInputStream extends FilterInputStream {

    static final int SLACK_MILLIS = 10;

    private final Socket socket;
    private long deadline;
    private long timeoutMillis;
    private int soTimeout = -1;

    DeadlineInputStream(Socket socket, InputStream in) {
        super(in);
        this.socket = socket;
    }

    /** The next reply must be complete within {@code nanos} from now. */
    void startReply(long nanos) {
        timeoutMillis = Math.max(1, nanos / 1_000_000);
        deadline = System.nanoTime() + nanos;
    }

    @Override
    public int read() throws IOException {
        arm();
        return in.read();
    }

    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
        arm();
        return in.read(bytes, offset, length);
    }

    private void arm() throws IOException {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            throw new SocketTimeoutException("reply not complete within " + timeoutMillis + " ms");
        }
        int wanted = (int) Math.min(Integer.MAX_VALUE, left);
        if (Math.abs((long) wanted - soTimeout) > SLACK_MILLIS || soTimeout < 0) {
            socket.setSoTimeout(wanted);
            soTimeout = wanted;
        }
    }
}
