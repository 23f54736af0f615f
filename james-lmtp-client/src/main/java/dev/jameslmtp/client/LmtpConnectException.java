package dev.jameslmtp.client;

import java.io.IOException;
import java.util.Objects;

import dev.jameslmtp.client.outcome.Verdict;

/**
 * A session could not be opened: the connection was refused or timed out, or the server's
 * greeting or LHLO reply was negative or malformed. {@link #verdict()} says what it means for
 * every recipient that was to be delivered.
 */
public class LmtpConnectException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Verdict verdict;

    public LmtpConnectException(Verdict verdict, Throwable cause) {
        super(Objects.requireNonNull(verdict, "verdict").toString(), cause);
        this.verdict = verdict;
    }

    public Verdict verdict() {
        return verdict;
    }
}
