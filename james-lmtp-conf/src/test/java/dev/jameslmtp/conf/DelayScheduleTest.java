package dev.jameslmtp.conf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DelayScheduleTest {

    private static final Duration MINUTE = Duration.ofMinutes(1);

    @Test
    void parseShouldExpandAttemptsInOrder() {
        DelaySchedule schedule = DelaySchedule.parse("4*1 minute, 3*5 minutes, 1 hour", 8);

        assertThat(schedule.delays()).containsExactly(MINUTE, MINUTE, MINUTE, MINUTE,
                Duration.ofMinutes(5), Duration.ofMinutes(5), Duration.ofMinutes(5), Duration.ofHours(1));
        assertThat(schedule.maxRetries()).isEqualTo(8);
        assertThat(schedule.delayBeforeRetry(5)).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void parseShouldReadBareNumbersAsMillisecondsLikeRemoteDelivery() {
        assertThat(DelaySchedule.parse("30000, 2 * 1h", 3).delays())
                .containsExactly(Duration.ofSeconds(30), Duration.ofHours(1), Duration.ofHours(1));
    }

    @Test
    void parseShouldRaiseMaxRetriesWhenTheAttemptsAddUpToMore() {
        DelaySchedule schedule = DelaySchedule.parse("2*1 minute, 1 hour", 1);

        assertThat(schedule.maxRetries()).isEqualTo(3);
        assertThat(schedule.delays()).containsExactly(MINUTE, MINUTE, Duration.ofHours(1));
    }

    @Test
    void parseShouldRepeatTheLastDelayWhenTheAttemptsAddUpToLess() {
        DelaySchedule schedule = DelaySchedule.parse("1 minute, 1 hour", 4);

        assertThat(schedule.delays()).containsExactly(MINUTE, Duration.ofHours(1), Duration.ofHours(1), Duration.ofHours(1));
    }

    @Test
    void parseShouldAllowNoRetryAtAll() {
        assertThat(DelaySchedule.parse("0*1 minute", 0).delays()).isEmpty();
    }

    @Test
    void withDefaultDelaysShouldHonourASmallMaxRetries() {
        assertThat(DelaySchedule.withDefaultDelays(0).delays()).isEmpty();
        assertThat(DelaySchedule.withDefaultDelays(2).delays()).containsExactly(MINUTE, Duration.ofMinutes(5));
        assertThat(DelaySchedule.withDefaultDelays(7).delays()).endsWith(Duration.ofHours(6), Duration.ofHours(6), Duration.ofHours(6));
    }

    @Test
    void defaultsShouldBeFiveRetriesGrowingToSixHours() {
        assertThat(DelaySchedule.defaults().delays()).containsExactly(MINUTE, Duration.ofMinutes(5), Duration.ofMinutes(15),
                Duration.ofHours(1), Duration.ofHours(6));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "1 minute,", ",1 minute", "1 minute,,2 minutes", "x", "3*", "*1 minute", "-1*1 minute",
            "2*3*1 minute", "1 fortnight", "1.5 minutes", "-5 minutes", "a*1 minute", "1 minute; 2 minutes"})
    void parseShouldFailNamingTheParameterOnGarbage(String delayTime) {
        assertThatThrownBy(() -> DelaySchedule.parse(delayTime, 5))
                .isInstanceOf(ConfigurationError.class)
                .hasMessageStartingWith("parameter 'delayTime': invalid value '" + delayTime + "'")
                .hasMessageContaining("e.g. '4*1 minute, 3*5 minutes, 1 hour'");
    }

    @Test
    void parseShouldFailOnANegativeMaxRetries() {
        assertThatThrownBy(() -> DelaySchedule.parse("1 minute", -1))
                .isInstanceOf(ConfigurationError.class)
                .hasMessageStartingWith("parameter 'maxRetries': invalid value '-1'");
    }

    @Test
    void delayBeforeRetryShouldRefuseARetryOutsideTheSchedule() {
        assertThatThrownBy(() -> DelaySchedule.parse("1 minute", 1).delayBeforeRetry(2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void constructorShouldRefuseDelaysThatDoNotMatchMaxRetries() {
        assertThatThrownBy(() -> new DelaySchedule(Collections.nCopies(2, MINUTE), 3)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new DelaySchedule(List.of(MINUTE), 1).maxRetries()).isEqualTo(1);
    }
}
