package dev.jameslmtp.client;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * Where the conversation is written when a transcript is wanted, as {@code C: } and {@code S: }
 * lines.
 *
 * <p>The session hands this class only what may be shown: commands carrying secrets (AUTH
 * payloads) arrive already redacted to {@value #REDACTED}, and so do server challenges. Message
 * content is summarised, never copied. Untrusted bytes are neutralised: control characters are
 * shown as {@code \xNN}, so a server cannot forge transcript lines.
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

    /** Replaces control characters by {@code \xNN}. */
    static String neutralise(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                if (out == null) {
                    out = new StringBuilder(text.length() + 8).append(text, 0, i);
                }
                out.append(String.format("\\x%02X", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }
}
