package dev.jameslmtp.client.wire;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

import dev.jameslmtp.client.session.Stage;
import dev.jameslmtp.client.session.Timeouts;
import dev.jameslmtp.client.session.TlsHandshake;

/**
 * One open socket to the server, with the per-stage timeouts applied, a bounded reply reader
 * and a transcript. It knows nothing of the conversation: {@link LmtpConnection} does.
 *
 * <p>The stage's timeout is a deadline for each whole reply (see {@link DeadlineInputStream}) and
 * a bound on each write (see {@link WatchdogOutputStream}). Entering a stage costs no system call
 * and no allocation: the timeouts are looked up once per connection.
 */
public final class Wire implements Closeable {

    private static final int OUTPUT_BUFFER_BYTES = 16 * 1024;

    /** The TCP or UNIX socket: what the deadlines close, even under TLS (see {@link SocketWatchdog}). */
    private final Socket plain;
    /** {@link #plain}, or the TLS socket over it. */
    private Socket socket;
    private DeadlineInputStream in;
    private WatchdogOutputStream watchdog;
    private OutputStream out;
    private ReplyReader reader;
    private final Transcript transcript;
    private final long[] timeoutNanos;
    private final String peer;
    private volatile Stage stage = Stage.CONNECT;
    /** BDAT chunks whose writing began: a failure after a LAST one may follow a delivery. */
    private long chunksSent;

    public Wire(Socket socket, String peer, Timeouts timeouts, Transcript transcript) throws IOException {
        this.plain = socket;
        this.peer = peer;
        this.transcript = transcript;
        this.timeoutNanos = new long[Stage.values().length];
        for (Stage each : Stage.values()) {
            timeoutNanos[each.ordinal()] = timeouts.of(each).toNanos();
        }
        attach(socket);
    }

    private void attach(Socket newSocket) throws IOException {
        if (watchdog != null) {
            watchdog.close(); // the new socket's stream is watched instead
        }
        this.socket = newSocket;
        this.in = newSocket == plain ? new DeadlineInputStream(plain, plain.getInputStream())
                : new DeadlineInputStream(newSocket, newSocket.getInputStream(), new SocketDeadline(plain));
        this.reader = new ReplyReader(in, transcript);
        this.watchdog = new WatchdogOutputStream(plain, newSocket.getOutputStream(), timeoutNanos[stage.ordinal()]);
        this.out = new BufferedOutputStream(watchdog, OUTPUT_BUFFER_BYTES);
    }

    /**
     * After the server's 220 to STARTTLS: layers TLS over the socket and shakes hands, the whole
     * handshake within the current stage's timeout ({@link TlsHandshake}). Bytes the server sent in
     * clear after its 220 are refused (RFC 3207 §6 response injection): they would otherwise be read
     * as if they came over TLS.
     *
     * @throws LmtpProtocolException if such bytes are waiting
     */
    public SSLSession startTls(TlsLayer layer) throws IOException {
        if (reader.buffered() > 0 || in.available() > 0) {
            throw new LmtpProtocolException("the server sent data in clear after its reply to STARTTLS");
        }
        return handshake(layer);
    }

    /** Layers TLS over the plain socket and shakes hands within the current stage's timeout: wrapper mode, or after STARTTLS. */
    public SSLSession handshake(TlsLayer layer) throws IOException {
        SSLSocket ssl = layer.layer(plain);
        TlsHandshake.within(ssl, plain, timeoutNanos[stage.ordinal()]);
        attach(ssl);
        return ssl.getSession();
    }

    /** The TLS session, when the socket is a TLS one. */
    public Optional<SSLSession> tlsSession() {
        return socket instanceof SSLSocket ssl ? Optional.of(ssl.getSession()) : Optional.empty();
    }

    /** Puts a TLS socket over a connected one. */
    @FunctionalInterface
    public interface TlsLayer {
        SSLSocket layer(Socket plain) throws IOException;
    }

    /** Enters {@code next}: its timeout now bounds each reply and each write. */
    public void stage(Stage next) {
        stage = next;
        watchdog.timeout(timeoutNanos[next.ordinal()]);
    }

    public Stage stage() {
        return stage;
    }

    public String peer() {
        return peer;
    }

    /** Writes the commands in one write (a pipelined group when there are several). */
    public void send(List<Command> commands) throws IOException {
        for (Command command : commands) {
            transcript.client(command.shown());
            out.write(command.bytes());
        }
        out.flush();
    }

    /**
     * Writes the commands, the last of them a BDAT, and right after it the {@code octets} first
     * bytes of {@code chunk}, in one write (RFC 3030: the chunk follows the command's CRLF).
     */
    public void send(List<Command> commands, byte[] chunk, int octets) throws IOException {
        chunksSent++;
        for (Command command : commands) {
            transcript.client(command.shown());
            out.write(command.bytes());
        }
        transcript.client("[" + octets + " octets of message content]");
        out.write(chunk, 0, octets);
        out.flush();
    }

    public void send(Command command) throws IOException {
        transcript.client(command.shown());
        out.write(command.bytes());
        out.flush();
    }

    /** How many BDAT chunks began to go out on this connection. */
    public long chunksSent() {
        return chunksSent;
    }

    /** Reads one reply, which must be complete within the current stage's timeout. */
    public Reply read() throws IOException {
        in.startReply(timeoutNanos[stage.ordinal()]);
        return reader.read();
    }

    public Reply readSecret() throws IOException {
        in.startReply(timeoutNanos[stage.ordinal()]);
        return reader.readSecret();
    }

    /** The raw output for message content; the caller dot-stuffs and flushes. */
    public OutputStream content() {
        return out;
    }

    public Transcript transcript() {
        return transcript;
    }

    public boolean isOpen() {
        return !socket.isClosed();
    }

    @Override
    public void close() {
        watchdog.close();
        in.unwatch();
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing left to do with a socket that will not close
        }
    }
}
