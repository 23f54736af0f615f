package dev.jameslmtp.client;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.List;

/**
 * One open socket to the server, with the per-stage timeouts applied, a bounded reply reader
 * and a transcript. It knows nothing of the conversation: {@link LmtpConnection} does.
 */
final class Wire implements Closeable {

    private final Socket socket;
    private final OutputStream out;
    private final ReplyReader reader;
    private final Transcript transcript;
    private final Timeouts timeouts;
    private final String peer;
    private volatile Stage stage = Stage.CONNECT;

    Wire(Socket socket, String peer, Timeouts timeouts, Transcript transcript) throws IOException {
        this.socket = socket;
        this.peer = peer;
        this.timeouts = timeouts;
        this.transcript = transcript;
        this.reader = new ReplyReader(new BufferedInputStream(socket.getInputStream(), 8192), transcript);
        this.out = new BufferedOutputStream(
                new WatchdogOutputStream(socket, socket.getOutputStream(), this::currentTimeout), 64 * 1024);
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
