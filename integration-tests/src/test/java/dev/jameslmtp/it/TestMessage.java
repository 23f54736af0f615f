package dev.jameslmtp.it;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * A small RFC 5322 message with a unique tag in its Subject and body, so that a test finds its
 * own message among everything a shared server stored. The body has a line that starts with a
 * dot (dot-stuffing on SMTP and on LMTP) and a long line.
 */
public record TestMessage(String tag, String text) {

    public static TestMessage create(String from, List<String> to, String scenario) {
        String tag = scenario + "-" + UUID.randomUUID();
        String body = String.join("\r\n",
                "Hello from the james-lmtp integration tests.",
                "Tag: " + tag,
                ".a line that starts with a dot",
                "..and one that starts with two",
                "x".repeat(200),
                "The end.",
                "");
        String text = String.join("\r\n",
                "From: " + from,
                "To: " + String.join(", ", to),
                "Subject: " + tag,
                "Message-ID: <" + tag + "@" + EmbeddedJames.LOCAL_DOMAIN + ">",
                "MIME-Version: 1.0",
                "Content-Type: text/plain; charset=us-ascii",
                "",
                body);
        return new TestMessage(tag, text);
    }

    /** The body as sent: everything after the first empty line, CRLF line endings. */
    public byte[] body() {
        return bodyOf(text.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * The body of a stored copy, as text with one char per byte (ISO-8859-1), so that an AssertJ
     * comparison with {@link #bodyText()} is byte for byte yet prints readable differences.
     */
    public static String bodyTextOf(byte[] stored) {
        return new String(bodyOf(stored), StandardCharsets.ISO_8859_1);
    }

    public String bodyText() {
        return new String(body(), StandardCharsets.ISO_8859_1);
    }

    public boolean isIn(byte[] stored) {
        return new String(stored, StandardCharsets.ISO_8859_1).contains(tag);
    }

    /** The stored messages that carry this message's tag. */
    public List<byte[]> copiesIn(List<byte[]> stored) {
        return stored.stream().filter(this::isIn).toList();
    }

    /** Everything after the first empty line (CRLF CRLF or LF LF, whichever comes first). */
    public static byte[] bodyOf(byte[] message) {
        String text = new String(message, StandardCharsets.ISO_8859_1);
        int crlf = text.indexOf("\r\n\r\n");
        int lf = text.indexOf("\n\n");
        int start;
        if (crlf >= 0 && (lf < 0 || crlf < lf)) {
            start = crlf + 4;
        } else if (lf >= 0) {
            start = lf + 2;
        } else {
            start = message.length;
        }
        return Arrays.copyOfRange(message, start, message.length);
    }
}
