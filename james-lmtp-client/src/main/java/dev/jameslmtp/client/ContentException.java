package dev.jameslmtp.client;

import java.io.IOException;

/** The message content could not be read (a local problem, not the server's). */
public final class ContentException extends IOException {

    private static final long serialVersionUID = 1L;

    public ContentException(IOException cause) {
        super("cannot read message content: " + cause.getMessage(), cause);
    }
}
