package dev.jameslmtp.client.session;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;

import javax.net.ssl.SSLSocket;

import dev.jameslmtp.client.wire.SocketDeadline;

/**
 * A TLS handshake that ends at a deadline for the whole of it: the STARTTLS stage's timeout, as
 * Postfix's {@code lmtp_starttls_timeout} bounds its handshake, in wrapper mode as after STARTTLS.
 * The handshake reads and writes the plain socket beneath {@link Wire}'s per-reply deadline and
 * write watchdog, so a read timeout alone would let a peer that sends one byte of a 16 KB record
 * every second hold it for hours. Here each read waits no longer than the whole timeout, and a
 * {@link SocketDeadline} closes the plain socket when the deadline passes; the handshake then fails
 * with a {@link SocketTimeoutException} ("not complete within ... ms"), which the caller treats as
 * any failed handshake (4.7.5, or clear on a new connection at level {@code may}).
 */
public final class TlsHandshake {

    private TlsHandshake() {
    }

    /** Shakes hands on {@code ssl}, layered over {@code plain}, within {@code timeoutNanos}. */
    public static void within(SSLSocket ssl, Socket plain, long timeoutNanos) throws IOException {
        plain.setSoTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, timeoutNanos / 1_000_000)));
        SocketDeadline deadline = new SocketDeadline(plain);
        deadline.armUntil(System.nanoTime() + timeoutNanos);
        try {
            ssl.startHandshake();
        } catch (IOException e) {
            throw deadline.fired() ? timedOut(timeoutNanos, e) : e;
        } finally {
            deadline.disarm();
            deadline.close();
        }
        if (deadline.fired()) {
            throw timedOut(timeoutNanos, null); // done just as the deadline closed the socket
        }
    }

    private static SocketTimeoutException timedOut(long timeoutNanos, IOException cause) {
        SocketTimeoutException timeout = new SocketTimeoutException("not complete within " + timeoutNanos / 1_000_000 + " ms");
        timeout.initCause(cause);
        return timeout;
    }
}
