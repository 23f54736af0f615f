package dev.jameslmtp.conf;

import static dev.jameslmtp.conf.MailetParameters.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Postfix's scheduler parameters and retryJitter, as the mailet reads them. */
class DestinationConcurrencyParametersTest {

    @Test
    void defaultsShouldBePostfixs() {
        LmtpDeliveryConfiguration configuration = parse();

        assertThat(configuration.destinationConcurrency()).isEqualTo(DestinationConcurrency.DEFAULTS);
        assertThat(configuration.destinationConcurrency().initial()).isEqualTo(5);
        assertThat(configuration.destinationConcurrency().positiveFeedback()).isEqualTo(new ConcurrencyFeedback(1, false));
        assertThat(configuration.destinationConcurrency().negativeFeedback()).isEqualTo(new ConcurrencyFeedback(1, false));
        assertThat(configuration.destinationConcurrency().failedCohortLimit()).isEqualTo(1);
        assertThat(configuration.retryJitter()).isEqualTo(new RetryJitter(0.1));
    }

    @Test
    void parametersShouldBeReadUnderPostfixsNamesCamelCased() {
        LmtpDeliveryConfiguration configuration = parse("initialDestinationConcurrency", "2",
                "destinationConcurrencyPositiveFeedback", "1/concurrency",
                "destinationConcurrencyNegativeFeedback", "1/8",
                "destinationConcurrencyFailedCohortLimit", "0",
                "retryJitter", "25%");

        assertThat(configuration.destinationConcurrency()).isEqualTo(new DestinationConcurrency(2, new ConcurrencyFeedback(1, true),
                new ConcurrencyFeedback(0.125, false), 0));
        assertThat(configuration.retryJitter()).isEqualTo(new RetryJitter(0.25));
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "1; 1; false",
            "0; 0; false",
            "0.5; 0.5; false",
            ".25; 0.25; false",
            "1/8; 0.125; false",
            "1 / 4; 0.25; false",
            "1/concurrency; 1; true",
            "0.5 / concurrency; 0.5; true",
            "1/CONCURRENCY; 1; true"})
    void feedbackShouldTakePostfixsForms(String value, double amount, boolean perConcurrency) {
        assertThat(ConcurrencyFeedback.parse(value)).isEqualTo(new ConcurrencyFeedback(amount, perConcurrency));
    }

    @Test
    void feedbackPerConcurrencyShouldBeDividedByTheWindow() {
        assertThat(ConcurrencyFeedback.parse("1/concurrency").at(4)).isEqualTo(0.25);
        assertThat(ConcurrencyFeedback.parse("1/4").at(10)).isEqualTo(0.25);
        assertThat(ConcurrencyFeedback.parse("1/concurrency")).hasToString("1/concurrency");
        assertThat(ConcurrencyFeedback.parse("0.125")).hasToString("0.125");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2", "1.5", "3/2", "1/0", "-1", "one", "1/concurrency/2", "1/minute", "1/", "/8"})
    void aBadFeedbackShouldFailNamingParameterValueAndPostfixsForms(String bad) {
        for (String parameter : new String[] {"destinationConcurrencyPositiveFeedback", "destinationConcurrencyNegativeFeedback"}) {
            assertThatThrownBy(() -> parse(parameter, bad))
                    .isInstanceOf(ConfigurationError.class)
                    .hasMessageStartingWith("parameter '" + parameter + "': invalid value '" + bad + "'")
                    .hasMessageContaining("'1/8'").hasMessageContaining("'1/concurrency'");
        }
    }

    @ParameterizedTest
    @CsvSource({"initialDestinationConcurrency, 0", "initialDestinationConcurrency, 257", "initialDestinationConcurrency, five",
            "destinationConcurrencyFailedCohortLimit, -1", "destinationConcurrencyFailedCohortLimit, 1.5"})
    void aBadWholeNumberShouldFailNamingParameterAndValue(String parameter, String bad) {
        assertThatThrownBy(() -> parse(parameter, bad))
                .isInstanceOf(ConfigurationError.class)
                .hasMessageStartingWith("parameter '" + parameter + "': invalid value '" + bad + "': expected a whole number");
    }

    @ParameterizedTest
    @ValueSource(strings = {"101%", "1.5", "-10%", "ten", "10 %%"})
    void aBadRetryJitterShouldFailNamingParameterValueAndForm(String bad) {
        assertThatThrownBy(() -> parse("retryJitter", bad))
                .isInstanceOf(ConfigurationError.class)
                .hasMessageStartingWith("parameter 'retryJitter': invalid value '" + bad + "'")
                .hasMessageContaining("a percentage from 0% to 100%");
    }

    @Test
    void retryJitterShouldTakeAPercentageOrAFraction() {
        assertThat(RetryJitter.parse("10%")).isEqualTo(new RetryJitter(0.1));
        assertThat(RetryJitter.parse("0.1")).isEqualTo(new RetryJitter(0.1));
        assertThat(RetryJitter.parse("0%")).isEqualTo(RetryJitter.NONE);
        assertThat(RetryJitter.parse("100%")).isEqualTo(new RetryJitter(1));
        assertThat(RetryJitter.parse("12.5 %")).hasToString("12.5%");
    }

    @Test
    void retryJitterShouldSpreadADelayUpToItsFractionLaterAndNeverEarlier() {
        RetryJitter jitter = new RetryJitter(0.1);
        Duration delay = Duration.ofMinutes(1);

        assertThat(jitter.spread(delay, 0)).isEqualTo(delay);
        assertThat(jitter.spread(delay, 0.5)).isEqualTo(Duration.ofSeconds(63));
        assertThat(jitter.spread(delay, 0.999_999)).isBetween(delay, Duration.ofSeconds(66));
        assertThat(jitter.spread(delay, 7)).isEqualTo(Duration.ofSeconds(66)); // a random value out of range is clamped
        assertThat(jitter.spread(Duration.ZERO, 0.5)).isZero();
        assertThat(RetryJitter.NONE.spread(delay, 0.9)).isEqualTo(delay);
    }

    @Test
    void minimalBackoffShouldBeTheShortestDelayOfTheSchedule() {
        assertThat(DelaySchedule.parse("1 hour, 5 minutes, 6 hours", 3).minimalBackoff()).isEqualTo(Duration.ofMinutes(5));
        assertThat(DelaySchedule.defaults().minimalBackoff()).isEqualTo(Duration.ofMinutes(1));
        assertThat(DelaySchedule.withDefaultDelays(0).minimalBackoff()).isEqualTo(Duration.ofMinutes(1));
    }
}
