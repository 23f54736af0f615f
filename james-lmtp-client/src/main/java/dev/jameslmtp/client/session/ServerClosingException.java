package dev.jameslmtp.client.session;

import java.io.IOException;

import dev.jameslmtp.client.wire.Reply;
import dev.jameslmtp.client.wire.Wire;

/** A 421 reply: the server is closing the connection, and the transaction ends with it. */
final class ServerClosingException extends IOException {
    private static final long serialVersionUID = 1L;
    final transient Stage stage;
    final transient Reply reply;

    ServerClosingException(Stage stage, Reply reply) {
        super("server is closing: " + reply);
        this.stage = stage;
        this.reply = reply;
    }

    /** Reads a reply at {@code stage}. @throws ServerClosingException if it is a 421 */
    static Reply read(Wire wire, Stage stage) throws IOException {
        wire.stage(stage);
        Reply reply = wire.read();
        if (reply.code() == 421) {
            throw new ServerClosingException(stage, reply);
        }
        return reply;
    }
}
