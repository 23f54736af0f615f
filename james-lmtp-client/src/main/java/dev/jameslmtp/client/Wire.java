package dev.jameslmtp.client;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * One open socket to the server, with the per-stage timeouts applied, a bounded reply reader
 * and a transcript. It knows nothing of the conversation: {@link LmtpConnection} does.
 */
final class Wire implements Closeable {

    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private ReplyReader reader;
    private final Transcript transcript;
    private final Timeouts timeouts;
    private final String peer;
    private volatile Stage stage = Stage.CONNECT;

    Wire(Socket socket, String peer, Timeouts timeouts, Transcript transcript) throws IOException {
        this.peer = peer;
        this.timeouts = timeouts;
        this.transcript = transcript;
        attach(socket);
    }

    private void attach(Socket newSocket) throws IOException {
        this.socket = newSocket;
        this.in = new BufferedInputStream(newSocket.getInputStream(), 8192);
        this.reader = new ReplyReader(in, transcript);
        this.out = new BufferedOutputStream(
                new WatchdogOutputStream(newSocket, newSocket.getOutputStream(), this::currentTimeout), 64 * 1024);
    }

    /**
     * After the server's 220 to STARTTLS: layers TLS over the socket and shakes hands, within the
     * current stage's timeout. Bytes the server sent in clear after its 220 are refused (RFC 3207
     * §6 response injection): they would otherwise be read as if they came over TLS.
     *
     * @throws LmtpProtocolException if such bytes are waiting
     */
    SSLSession startTls(TlsLayer layer) throws IOException {
        if (in.available() > 0) {
            throw new LmtpProtocolException("the server sent data in clear after its reply to STARTTLS");
        }
        SSLSocket ssl = layer.layer(socket);
        ssl.startHandshake();
        attach(ssl);
        return ssl.getSession();
    }

    /** The TLS session, when the socket is a TLS one. */
    Optional<SSLSession> tlsSession() {
        return socket instanceof SSLSocket ssl ? Optional.of(ssl.getSession()) : Optional.empty();
    }

    /** Puts a TLS socket over a connected one. */
    @FunctionalInterface
    interface TlsLayer {
        SSLSocket layer(Socket plain) throws IOException;
    }

    /** Enters {@code next}: its timeout now bounds every read and write. */
    void stage(Stage next) throws IOException {
        stage = next;
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, timeouts.of(next).toMillis())));
    }

    Stage stage() {
        return stage;
    }

    String peer() {
        return peer;
    }

    /** Writes the commands in one write (a pipelined group when there are several). */
    void send(List<Command> commands) throws IOException {
        for (Command command : commands) {
            transcript.client(command.shown());
            out.write(command.bytes());
        }
        out.flush();
    }

    void send(Command command) throws IOException {
        send(List.of(command));
    }

    Reply read() throws IOException {
        return reader.read();
    }

    Reply readSecret() throws IOException {
        return reader.readSecret();
    }

    /** The raw output for message content; the caller dot-stuffs and flushes. */
    OutputStream content() {
        return out;
    }

    Transcript transcript() {
        return transcript;
    }

    boolean isOpen() {
        return !socket.isClosed();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing left to do with a socket that will not close
        }
    }

    private Duration currentTimeout() {
        return timeouts.of(stage);
    }
}
