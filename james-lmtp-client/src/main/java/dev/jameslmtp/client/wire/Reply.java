package dev.jameslmtp.client.wire;

import java.util.List;
import java.util.Objects;

/**
 * One server reply, possibly of several lines, as RFC 5321 §4.2 defines it.
 *
 * <p>{@code lines} holds the text of each line after the code and its separator; {@code status} is
 * the enhanced status code, sanitised against {@code code} (see {@link EnhancedStatus}).
 * {@link #text()} is the reply's text with the enhanced code of each line removed, joined by a space.
 */
public record Reply(int code, EnhancedStatus status, List<String> lines) {

    public Reply {
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("reply code must be 200-599, not " + code);
        }
        Objects.requireNonNull(status, "status");
        lines = List.copyOf(lines);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("a reply has at least one line");
        }
    }

    /** A reply whose status comes from the leading enhanced code of its first line, sanitised. */
    public static Reply of(int code, List<String> lines) {
        return new Reply(code, EnhancedStatus.sanitise(code, EnhancedStatus.leading(lines.get(0))), lines);
    }

    /** Convenience for tests and local use: {@code Reply.of(250, "2.0.0 Ok")}. */
    public static Reply of(int code, String text) {
        return of(code, List.of(text));
    }

    public boolean isPositive() {
        return code / 100 == 2;
    }

    public boolean isIntermediate() {
        return code / 100 == 3;
    }

    public boolean isTransientNegative() {
        return code / 100 == 4;
    }

    public boolean isPermanentNegative() {
        return code / 100 == 5;
    }

    /** The server's words without codes, lines joined by a space. */
    public String text() {
        StringBuilder text = new StringBuilder();
        for (String line : lines) {
            String words = line.substring(EnhancedStatus.leadingLength(line)).strip();
            if (!words.isEmpty()) {
                if (text.length() > 0) {
                    text.append(' ');
                }
                text.append(words);
            }
        }
        return text.toString();
    }

    /** The reply as the server sent it, one line per element, e.g. {@code "250-PIPELINING"}. */
    public List<String> wireLines() {
        String[] out = new String[lines.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = code + (i == out.length - 1 ? " " : "-") + lines.get(i);
        }
        return List.of(out);
    }

    /** {@code "550 5.1.1 User doesn't exist: x"}. */
    @Override
    public String toString() {
        String text = text();
        return code + " " + status + (text.isEmpty() ? "" : " " + text);
    }
}
