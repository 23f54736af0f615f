package dev.jameslmtp.client.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes {@link EnhancedStatus}: the hand-written scanner agrees with the RFC 3463 grammar written
 * as a regular expression, parsing round-trips, the record refuses exactly what it documents, and
 * a reply's status always has the class of its code. Seeds:
 * {@code src/test/resources/dev/jameslmtp/client/wire/EnhancedStatusFuzzTestInputs/}.
 */
class EnhancedStatusFuzzTest {

    /** RFC 3463's {@code class "." subject "." detail} at the start, followed by white space ({@code \s}) or the end. */
    private static final Pattern LEADING = Pattern.compile("([245])\\.([0-9]{1,3})\\.([0-9]{1,3})(?:\\s|$)");
    private static final Pattern WHOLE = Pattern.compile("[245]\\.[0-9]{1,3}\\.[0-9]{1,3}");

    /** Reply codes of every class, the odd ones included (3xx has no enhanced status class of its own). */
    private static final int[] CODES = {200, 250, 299, 334, 354, 421, 452, 499, 500, 550, 599};

    @FuzzTest(maxDuration = "10m")
    void statusShouldFollowTheGrammarAndTheReplyCodeWhenTextIsArbitrary(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);

        assertLeadingAgreesWithTheGrammar(text);
        assertParseAcceptsExactlyTheGrammar(text);
        for (int code : CODES) {
            assertReplyStatusKeepsTheClassOfItsCode(code, text);
        }
    }

    private static void assertLeadingAgreesWithTheGrammar(String text) {
        Matcher reference = LEADING.matcher(text);
        Optional<EnhancedStatus> leading = EnhancedStatus.leading(text);
        if (reference.lookingAt()) {
            assertThat(EnhancedStatus.leadingLength(text)).isEqualTo(reference.end(3));
            assertThat(leading).contains(status(reference.group(1), reference.group(2), reference.group(3)));
        } else {
            assertThat(EnhancedStatus.leadingLength(text)).isZero();
            assertThat(leading).isEmpty();
        }
    }

    private static void assertParseAcceptsExactlyTheGrammar(String text) {
        String stripped = text.strip();
        if (WHOLE.matcher(stripped).matches()) {
            EnhancedStatus status = EnhancedStatus.parse(text);
            String[] parts = stripped.split("\\.");
            assertThat(status).isEqualTo(status(parts[0], parts[1], parts[2]));
            assertThat(EnhancedStatus.parse(status.toString())).isEqualTo(status);
            assertThat(status.isPermanent()).isEqualTo(status.statusClass() == 5);
            assertThat(status.asTemporary().statusClass()).isIn(2, 4);
        } else {
            assertThatThrownBy(() -> EnhancedStatus.parse(text)).isExactlyInstanceOf(IllegalArgumentException.class);
        }
    }

    private static void assertReplyStatusKeepsTheClassOfItsCode(int code, String text) {
        List<String> lines = List.of(text, "2.0.0 " + text);
        Reply reply = Reply.of(code, lines);
        Optional<EnhancedStatus> offered = EnhancedStatus.leading(text);
        int replyClass = code / 100;
        if (offered.isPresent() && offered.get().statusClass() == replyClass) {
            assertThat(reply.status()).isEqualTo(offered.get());
        } else if (replyClass == 3) {
            assertThat(reply.status()).isEqualTo(EnhancedStatus.PROTOCOL_ERROR);
        } else {
            assertThat(reply.status()).isEqualTo(status(String.valueOf(replyClass), "0", "0"));
        }
        assertThat(reply.status().isPermanent()).isEqualTo(replyClass == 5);
        for (String line : reply.lines()) {
            assertThat(reply.text()).contains(line.substring(EnhancedStatus.leadingLength(line)).strip());
        }
    }

    @FuzzTest(maxDuration = "10m")
    void constructorShouldRefuseExactlyWhatItDocuments(FuzzedDataProvider data) {
        int statusClass = data.consumeInt(-1, 7);
        int subject = data.consumeBoolean() ? data.consumeInt(-2, 1001) : data.consumeInt();
        int detail = data.consumeBoolean() ? data.consumeInt(-2, 1001) : data.consumeInt();
        boolean valid = (statusClass == 2 || statusClass == 4 || statusClass == 5)
                && subject >= 0 && subject <= 999 && detail >= 0 && detail <= 999;
        if (valid) {
            EnhancedStatus status = new EnhancedStatus(statusClass, subject, detail);
            assertThat(EnhancedStatus.parse(status.toString())).isEqualTo(status);
        } else {
            assertThatThrownBy(() -> new EnhancedStatus(statusClass, subject, detail)).isExactlyInstanceOf(IllegalArgumentException.class);
        }
    }

    private static EnhancedStatus status(String statusClass, String subject, String detail) {
        return new EnhancedStatus(Integer.parseInt(statusClass), Integer.parseInt(subject), Integer.parseInt(detail));
    }
}
