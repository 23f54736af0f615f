package dev.jameslmtp.client.wire;

import java.io.IOException;

/**
 * The server broke the protocol: a malformed reply line, a line or reply over the length bounds,
 * a code that changes inside a multi-line reply, or a reply of a class that makes no sense where
 * it came. The connection cannot be trusted afterwards.
 */
public class LmtpProtocolException extends IOException {

    private static final long serialVersionUID = 1L;

    public LmtpProtocolException(String message) {
        super(message);
    }
}
