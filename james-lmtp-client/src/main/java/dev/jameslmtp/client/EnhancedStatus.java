package dev.jameslmtp.client;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An RFC 3463 enhanced status code {@code class.subject.detail}.
 *
 * <p>Servers are not trusted to get it right. As Postfix's {@code smtp_chat_resp()} does, a code
 * taken from a reply is kept only when its class agrees with the reply code's first digit;
 * otherwise (or when there is none) the reply gets the generic {@code X.0.0} of its class.
 * Permanence is decided from this sanitised value.
 */
public record EnhancedStatus(int statusClass, int subject, int detail) {

    private static final Pattern LEADING = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})(?=\\s|$)");

    public static final EnhancedStatus DELIVERED = new EnhancedStatus(2, 0, 0);
    /** Connection could not be opened (Postfix: "connect to ..."). */
    public static final EnhancedStatus CONNECT_FAILED = new EnhancedStatus(4, 4, 1);
    /** Connection lost or timed out. */
    public static final EnhancedStatus CONNECTION_LOST = new EnhancedStatus(4, 4, 2);
    /** Local error, e.g. the message content could not be read. */
    public static final EnhancedStatus LOCAL_ERROR = new EnhancedStatus(4, 3, 0);
    /** The server broke the protocol (malformed or unexpected reply). */
    public static final EnhancedStatus PROTOCOL_ERROR = new EnhancedStatus(4, 5, 0);
    /** Message larger than the server's advertised SIZE. */
    public static final EnhancedStatus MESSAGE_TOO_BIG = new EnhancedStatus(5, 3, 4);
    /** Address needs SMTPUTF8 and the server does not offer it. */
    public static final EnhancedStatus SMTPUTF8_REQUIRED = new EnhancedStatus(5, 6, 7);

    /** Security or policy: SASL authentication failed or is impossible (Postfix's 4.7.0). */
    public static final EnhancedStatus AUTH_FAILED = new EnhancedStatus(4, 7, 0);
    /** TLS is required but the server does not offer or refuses it. */
    public static final EnhancedStatus TLS_UNAVAILABLE = new EnhancedStatus(4, 7, 4);
    /** The TLS handshake or the certificate check failed. */
    public static final EnhancedStatus TLS_FAILED = new EnhancedStatus(4, 7, 5);

    public EnhancedStatus {
        if (statusClass != 2 && statusClass != 4 && statusClass != 5) {
            throw new IllegalArgumentException("enhanced status class must be 2, 4 or 5, not " + statusClass);
        }
        if (subject < 0 || subject > 999 || detail < 0 || detail > 999) {
            throw new IllegalArgumentException("enhanced status subject and detail must be 0-999");
        }
    }

    /** Parses {@code "5.1.1"}. */
    public static EnhancedStatus parse(String text) {
        Matcher m = LEADING.matcher(text.strip());
        if (!m.find() || m.end() != text.strip().length()) {
            throw new IllegalArgumentException("not an enhanced status code (X.Y.Z with X = 2, 4 or 5): '" + text + "'");
        }
        return new EnhancedStatus(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
    }

    /** The code at the start of {@code text}, if there is one (whatever its class). */
    static Optional<EnhancedStatus> leading(String text) {
        Matcher m = LEADING.matcher(text);
        if (!m.find()) {
            return Optional.empty();
        }
        return Optional.of(new EnhancedStatus(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))));
    }

    /** Length of the enhanced code at the start of {@code text}, or 0. */
    static int leadingLength(String text) {
        Matcher m = LEADING.matcher(text);
        return m.find() ? m.end() : 0;
    }

    /** The status to use for a reply: the server's when its class matches the code, else X.0.0. */
    static EnhancedStatus sanitise(int replyCode, Optional<EnhancedStatus> offered) {
        int replyClass = replyCode / 100;
        if (offered.isPresent() && offered.get().statusClass() == replyClass) {
            return offered.get();
        }
        return switch (replyClass) {
            case 2 -> DELIVERED;
            case 4 -> new EnhancedStatus(4, 0, 0);
            case 5 -> new EnhancedStatus(5, 0, 0);
            default -> PROTOCOL_ERROR;
        };
    }

    /** A copy with class 4, as Postfix's soft_bounce turns 5.x.x into 4.x.x. */
    public EnhancedStatus asTemporary() {
        return statusClass == 5 ? new EnhancedStatus(4, subject, detail) : this;
    }

    public boolean isPermanent() {
        return statusClass == 5;
    }

    @Override
    public String toString() {
        return statusClass + "." + subject + "." + detail;
    }
}
