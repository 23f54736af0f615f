package dev.jameslmtp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void parseShouldAcceptUnitsBareSecondsAndIso() {
        assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse("45")).isEqualTo(Duration.ofSeconds(45));
        assertThat(Durations.parse("PT1M30S")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("30 seconds")).as("the mailet's syntax too").isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("2 hours")).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void parseShouldRefuseZeroNegativeAndNonsense() {
        assertThatThrownBy(() -> Durations.parse("0s")).hasMessage("'0s' is not a positive duration");
        assertThatThrownBy(() -> Durations.parse("PT-1S")).hasMessageContaining("'PT-1S' is not a duration");
        assertThatThrownBy(() -> Durations.parse("-1s")).hasMessageContaining("'-1s' is not a duration");
        assertThatThrownBy(() -> Durations.parse("thirty")).hasMessageContaining("is not a duration");
    }
}
