package dev.jameslmtp.client.wire;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * Where the conversation is written when a transcript is wanted, as {@code C: } and {@code S: }
 * lines.
 *
 * <p>The session hands this class only what may be shown: commands carrying secrets (AUTH
 * payloads) arrive already redacted to {@value #REDACTED}, and so do server challenges. Message
 * content is summarised, never copied. Untrusted text is {@link #neutralise neutralised}: control
 * characters, line separators and bidirectional marks are shown escaped, so a server can neither
 * forge transcript lines nor hide or reorder what an operator reads.
 */
public interface Transcript {

    String REDACTED = "****";

    Transcript NONE = new Transcript() {
        @Override
        public void client(String line) {
        }

        @Override
        public void server(String line) {
        }
    };

    /** A command as sent (already redacted where needed), without CRLF. */
    void client(String line);

    /** A reply line as received, without CRLF. */
    void server(String line);

    /** A transcript that hands neutralised {@code "C: ..."} and {@code "S: ..."} lines to {@code sink}. */
    static Transcript to(Consumer<String> sink) {
        Objects.requireNonNull(sink, "sink");
        return new Transcript() {
            @Override
            public void client(String line) {
                sink.accept("C: " + neutralise(line));
            }

            @Override
            public void server(String line) {
                sink.accept("S: " + neutralise(line));
            }
        };
    }

    /**
     * Untrusted text (a server's reply, an address, a mail name) made safe for one log line, an
     * MDC value or a terminal, escaped visibly so that the operator sees what came: the C0 controls
     * (CR, LF, ESC...), DEL and the C1 controls (U+0080-U+009F, NEL included) as {@code \xNN};
     * the line and paragraph separators U+2028 and U+2029, and the bidirectional marks, embeddings,
     * overrides and isolates that reorder what a reader sees (U+061C, U+200E, U+200F,
     * U+202A-U+202E, U+2066-U+2069) as <code>&#92;uNNNN</code>. Everything else, non-ASCII letters
     * included, is kept. The one neutraliser of the project: every log, MDC and terminal path of
     * untrusted text goes through it. Applying it twice changes nothing more.
     */
    static String neutralise(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String escape = escape(c);
            if (escape != null) {
                if (out == null) {
                    out = new StringBuilder(text.length() + 8).append(text, 0, i);
                }
                out.append(escape);
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    /** The visible escape of {@code c}, or null when it is shown as it is. */
    private static String escape(char c) {
        if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
            return String.format("\\x%02X", (int) c);
        }
        boolean hidden = c == 0x2028 || c == 0x2029 || c == 0x061c || c == 0x200e || c == 0x200f
                || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
        return hidden ? String.format("\\u%04X", (int) c) : null;
    }
}
