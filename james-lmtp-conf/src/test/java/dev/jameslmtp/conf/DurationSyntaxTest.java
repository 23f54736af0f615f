package dev.jameslmtp.conf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationSyntaxTest {

    @ParameterizedTest
    @CsvSource({"30 seconds,PT30S", "5m,PT5M", "30,PT30S", "2 hours,PT2H", "1 d,PT24H", "250ms,PT0.25S", "1 Week,PT168H", " 7 MIN ,PT7M", "PT1M30S,PT90S", "pt30s,PT30S"})
    void parseShouldReadJamesDurations(String text, String expected) {
        assertThat(DurationSyntax.parse(text, ChronoUnit.SECONDS)).isEqualTo(Duration.parse(expected));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "s", "1.5 s", "-1 s", "1 fortnight", "1 month", "1 s 2 m", "99999999999999 weeks", "PT-1S", "PT", "P1D", "PT1X"})
    void parseShouldRefuseGarbage(String text) {
        assertThatThrownBy(() -> DurationSyntax.parse(text, ChronoUnit.SECONDS)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({"PT30S,30 seconds", "PT5M,5 minutes", "PT1H,1 hour", "PT0.25S,250 ms", "PT90S,90 seconds"})
    void formatShouldWriteTheLargestExactUnit(String duration, String expected) {
        assertThat(DurationSyntax.format(Duration.parse(duration))).isEqualTo(expected);
    }
}
