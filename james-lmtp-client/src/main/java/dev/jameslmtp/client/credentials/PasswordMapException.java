package dev.jameslmtp.client.credentials;

/**
 * A password map that cannot be used: missing, unreadable, or malformed at a line. The message
 * names the file and the line number, never the line itself (it may hold a password).
 */
public final class PasswordMapException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    PasswordMapException(String message) {
        super(message);
    }
}
