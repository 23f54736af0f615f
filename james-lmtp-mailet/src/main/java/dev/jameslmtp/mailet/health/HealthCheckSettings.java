package dev.jameslmtp.mailet.health;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import dev.jameslmtp.conf.ConfigurationError;
import dev.jameslmtp.conf.Parameter;
import dev.jameslmtp.conf.ParameterValues;

/**
 * How an LmtpDelivery's stores are checked: {@code healthCheckTimeout}, the total time of one
 * server's check (connect, greeting, LHLO, STARTTLS and AUTH together), and
 * {@code healthCheckCacheTime}, how long a result answers health checks before the stores are
 * checked again ({@code 0}: every health check checks them).
 */
public record HealthCheckSettings(Duration timeout, Duration cacheTime) {

    public HealthCheckSettings {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(cacheTime, "cacheTime");
        if (timeout.isNegative() || timeout.isZero() || cacheTime.isNegative()) {
            throw new IllegalArgumentException("timeout <= 0 or cacheTime < 0: " + timeout + ", " + cacheTime);
        }
    }

    /**
     * The settings of the mailet parameters {@code parameters} (the others are not looked at).
     *
     * @throws ConfigurationError naming the parameter, the value and the accepted form
     */
    public static HealthCheckSettings parse(Map<String, String> parameters) {
        ParameterValues values = new ParameterValues(parameters);
        return new HealthCheckSettings(values.duration(Parameter.HEALTH_CHECK_TOTAL, Optional.empty()),
                values.duration(Parameter.HEALTH_CHECK_CACHE_TIME, Optional.of("no caching, every health check checks the stores")));
    }
}
