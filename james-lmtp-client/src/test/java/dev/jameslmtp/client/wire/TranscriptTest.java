package dev.jameslmtp.client.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The one neutraliser of untrusted text ({@link Transcript#neutralise}) and the transcript lines it makes. */
class TranscriptTest {

    /** ESC[31m, a bare CR, U+2028 and U+202E, as a hostile store would put them in a reply. */
    static final String HOSTILE = "550 5.1.1 \u001b[31mred\rforged\u2028line\u202Eevil";

    @Test
    void neutraliseShouldEscapeC0ControlsAndDelAsHex() {
        assertThat(Transcript.neutralise("a\u0000b\tc\r\nd\u001be\u007ff")).isEqualTo("a\\x00b\\x09c\\x0D\\x0Ad\\x1Be\\x7Ff");
    }

    @Test
    void neutraliseShouldEscapeC1ControlsAsHex() {
        assertThat(Transcript.neutralise("a\u0080b\u0085c\u009bd\u009fe")).isEqualTo("a\\x80b\\x85c\\x9Bd\\x9Fe");
    }

    @Test
    void neutraliseShouldEscapeLineSeparatorsAndBidiMarksVisibly() {
        assertThat(Transcript.neutralise("\u2028\u2029\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
                .isEqualTo("\\u2028\\u2029\\u061C\\u200E\\u200F\\u202A\\u202B\\u202C\\u202D\\u202E\\u2066\\u2067\\u2068\\u2069");
    }

    @Test
    void neutraliseShouldEscapeAHostileReplyIntoOnePrintableLine() {
        assertThat(Transcript.neutralise(HOSTILE)).isEqualTo("550 5.1.1 \\x1B[31mred\\x0Dforged\\u2028line\\u202Eevil");
    }

    @Test
    void neutraliseShouldKeepPrintableTextAndNonAsciiLettersAsTheyAre() {
        String text = "250 2.0.0 <jürgen@bücher.test> Saved \u00e9\u4e2d\u200b";
        assertThat(Transcript.neutralise(text)).isSameAs(text);
    }

    @Test
    void neutraliseShouldChangeNothingMoreWhenAppliedTwice() {
        String once = Transcript.neutralise(HOSTILE);
        assertThat(Transcript.neutralise(once)).isEqualTo(once);
    }

    @Test
    void serverLinesShouldBeNeutralisedWhenHandedToTheSink() {
        List<String> lines = new ArrayList<>();
        Transcript.to(lines::add).server(HOSTILE);
        assertThat(lines).containsExactly("S: 550 5.1.1 \\x1B[31mred\\x0Dforged\\u2028line\\u202Eevil");
    }
}
