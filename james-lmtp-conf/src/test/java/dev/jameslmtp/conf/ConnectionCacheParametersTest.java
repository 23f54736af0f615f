package dev.jameslmtp.conf;

import static dev.jameslmtp.conf.MailetParameters.parse;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.DestinationList;
import dev.jameslmtp.client.pool.PoolLimits;

/** The connection cache and failover parameters: defaults, parsing, errors. */
class ConnectionCacheParametersTest {

    @Test
    void defaultsShouldBePostfixsConnectionCacheLimits() {
        LmtpDeliveryConfiguration configuration = parse();

        assertThat(configuration.connectionCache()).isEqualTo(PoolLimits.defaults());
        assertThat(configuration.connectionCache().idleTime()).isEqualTo(Duration.ofSeconds(2));
        assertThat(configuration.connectionCache().reuseTime()).isEqualTo(Duration.ofSeconds(300));
        assertThat(configuration.connectionCache().reuseLimit()).isZero();
        assertThat(configuration.failureSkipTime()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void parseShouldReadEveryConnectionCacheParameter() {
        LmtpDeliveryConfiguration configuration = parse("connectionCacheEnabled", "false", "connectionCacheIdleTime", "5",
                "connectionCacheReuseTime", "1 minute", "connectionCacheReuseLimit", "100", "connectionCacheMaxIdle", "4",
                "destinationFailureSkipTime", "0");

        assertThat(configuration.connectionCache())
                .isEqualTo(new PoolLimits(false, Duration.ofSeconds(5), Duration.ofMinutes(1), 100, 4));
        assertThat(configuration.failureSkipTime()).isZero();
    }

    @Test
    void destinationShouldAcceptAListOfServers() {
        assertThat(parse("destination", "inet:[127.0.0.1]:2424, unix:/run/backup").routing().destinationFor("any.test"))
                .contains(DestinationList.of(Destination.parse("[127.0.0.1]:2424"), Destination.parse("unix:/run/backup")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "connectionCacheEnabled|yes|true or false",
            "connectionCacheIdleTime|0|a positive duration",
            "connectionCacheIdleTime|soon|a bare number is in seconds",
            "connectionCacheReuseTime|0|a positive duration",
            "connectionCacheReuseLimit|-1|a whole number >= 0 (0 = no limit)",
            "connectionCacheMaxIdle|0|a whole number from 1 to 256",
            "destinationFailureSkipTime|a while|a duration (0 = off)",
            "destination|inet:a.test:24, inet:b.test:25|inet:b.test:25"})
    void parseShouldNameTheParameterTheValueAndTheAcceptedForm(String key, String value, String expected) {
        MailetParameters.assertRejected(key, value, expected);
    }
}
