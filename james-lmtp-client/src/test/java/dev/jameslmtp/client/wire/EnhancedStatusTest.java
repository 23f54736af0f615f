package dev.jameslmtp.client.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class EnhancedStatusTest {

    /** The grammar the hand-written parser must follow, as the regular expression it replaced. */
    private static final Pattern LEADING = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})(?=\\s|$)");

    @ParameterizedTest
    @ValueSource(strings = {"5.1.1 User unknown", "2.0.0", "4.2.2\tfull", "5.1.1", "5.123.456 x", "5.1234.5 x", "5.1.1234",
        "5.1.1x", "3.1.1 no", "5..1 x", "5.1. x", ".5.1.1", "5.1.1\r", "2.0.0 ", "5.01.001 padded", "", "5", "5.1", "55.1.1",
        "4.4.2-dash", "5.1.1\u00a0nbsp", "\u0665.1.1 arabic digit"})
    void leadingShouldAgreeWithTheRegularExpression(String text) {
        Matcher m = LEADING.matcher(text);
        boolean found = m.find();

        assertThat(EnhancedStatus.leadingLength(text)).isEqualTo(found ? m.end() : 0);
        assertThat(EnhancedStatus.leading(text)).isEqualTo(found
                ? java.util.Optional.of(new EnhancedStatus(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))))
                : java.util.Optional.empty());
    }

    @Test
    void parseShouldAcceptOnlyAWholeCode() {
        assertThat(EnhancedStatus.parse(" 5.1.1 ")).isEqualTo(new EnhancedStatus(5, 1, 1));
        assertThatThrownBy(() -> EnhancedStatus.parse("5.1.1 extra")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EnhancedStatus.parse("")).isInstanceOf(IllegalArgumentException.class);
    }
}
