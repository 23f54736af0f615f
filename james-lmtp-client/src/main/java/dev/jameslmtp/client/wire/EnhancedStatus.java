package dev.jameslmtp.client.wire;

import java.util.Optional;

/**
 * An RFC 3463 enhanced status code {@code class.subject.detail}.
 *
 * <p>Servers are not trusted to get it right. As Postfix's {@code smtp_chat_resp()} does, a code
 * taken from a reply is kept only when its class agrees with the reply code's first digit;
 * otherwise (or when there is none) the reply gets the generic {@code X.0.0} of its class.
 * Permanence is decided from this sanitised value.
 */
public record EnhancedStatus(int statusClass, int subject, int detail) {

    public static final EnhancedStatus DELIVERED = new EnhancedStatus(2, 0, 0);
    private static final EnhancedStatus TEMPORARY = new EnhancedStatus(4, 0, 0);
    private static final EnhancedStatus PERMANENT = new EnhancedStatus(5, 0, 0);
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
        String stripped = text.strip();
        if (leadingLength(stripped) != stripped.length() || stripped.isEmpty()) {
            throw new IllegalArgumentException("not an enhanced status code (X.Y.Z with X = 2, 4 or 5): '" + text + "'");
        }
        return leading(stripped).orElseThrow();
    }

    /** The code at the start of {@code text}, if there is one (whatever its class). */
    static Optional<EnhancedStatus> leading(String text) {
        int length = leadingLength(text);
        if (length == 0) {
            return Optional.empty();
        }
        int firstDot = 1;
        int secondDot = text.indexOf('.', firstDot + 1);
        return Optional.of(of(text.charAt(0) - '0', number(text, firstDot + 1, secondDot), number(text, secondDot + 1, length)));
    }

    /**
     * Length of the enhanced code {@code [245].d{1,3}.d{1,3}} at the start of {@code text}, followed
     * by white space or the end of the text; 0 when there is none. Hand-written: it runs for every
     * reply line.
     */
    static int leadingLength(String text) {
        int n = text.length();
        if (n < 5) {
            return 0;
        }
        char c = text.charAt(0);
        if ((c != '2' && c != '4' && c != '5') || text.charAt(1) != '.') {
            return 0;
        }
        int afterSubject = digits(text, 2);
        if (afterSubject < 0 || afterSubject >= n || text.charAt(afterSubject) != '.') {
            return 0;
        }
        int end = digits(text, afterSubject + 1);
        if (end < 0 || (end < n && !isSpace(text.charAt(end)))) {
            return 0;
        }
        return end;
    }

    /** The index after one to three ASCII digits starting at {@code from}, or -1. */
    private static int digits(String text, int from) {
        int i = from;
        int n = text.length();
        while (i < n && i - from < 3 && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
            i++;
        }
        if (i == from || (i < n && i - from == 3 && text.charAt(i) >= '0' && text.charAt(i) <= '9')) {
            return -1;
        }
        return i;
    }

    private static int number(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            value = value * 10 + (text.charAt(i) - '0');
        }
        return value;
    }

    /** White space as {@code \s} of java.util.regex means it: space, tab, LF, vertical tab, form feed, CR. */
    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    private static EnhancedStatus of(int statusClass, int subject, int detail) {
        if (subject == 0 && detail == 0) {
            return switch (statusClass) {
                case 2 -> DELIVERED;
                case 4 -> TEMPORARY;
                default -> PERMANENT;
            };
        }
        return new EnhancedStatus(statusClass, subject, detail);
    }

    /** The status to use for a reply: the server's when its class matches the code, else X.0.0. */
    static EnhancedStatus sanitise(int replyCode, Optional<EnhancedStatus> offered) {
        int replyClass = replyCode / 100;
        if (offered.isPresent() && offered.get().statusClass() == replyClass) {
            return offered.get();
        }
        return switch (replyClass) {
            case 2 -> DELIVERED;
            case 4 -> TEMPORARY;
            case 5 -> PERMANENT;
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
