package dev.jameslmtp.conf;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.slf4j.LoggerFactory;

import dev.jameslmtp.client.LmtpClient;
import dev.jameslmtp.client.wire.WireSafety;

/**
 * Configured parameter values, read the same way for the mailet and the SMTP hook: stripped, an
 * empty value rejected, a default in the parameter's own syntax parsed like a configured value.
 * Every method throws a {@link ConfigurationError} naming the parameter, the rejected value and
 * the accepted form.
 */
public class ParameterValues {

    private final Map<String, String> raw;

    public ParameterValues(Map<String, String> raw) {
        this.raw = Map.copyOf(raw);
    }

    /** The configured names, as given. */
    protected final Map<String, String> raw() {
        return raw;
    }

    /** The configured value, stripped; empty when the parameter is absent. */
    public Optional<String> get(DocumentedParameter parameter) {
        String value = raw.get(parameter.key());
        if (value == null) {
            return Optional.empty();
        }
        String stripped = value.strip();
        if (stripped.isEmpty()) {
            throw ConfigurationError.invalid(parameter.key(), value, "a value (leave the parameter out to get its default: "
                    + parameter.documentedDefault() + ")");
        }
        return Optional.of(stripped);
    }

    /** The configured value, else the default; empty only when neither is there. */
    public Optional<String> getOrDefault(DocumentedParameter parameter) {
        return get(parameter).or(parameter::defaultValue);
    }

    /** A list separated by commas and/or white space, as Postfix writes lists; empty when absent. */
    public List<String> list(DocumentedParameter parameter) {
        return get(parameter).map(v -> Arrays.stream(v.split("[,\\s]+")).filter(item -> !item.isEmpty()).toList()).orElse(List.of());
    }

    /** {@code true} or {@code false}, in any case. */
    public boolean bool(DocumentedParameter parameter) {
        String value = getOrDefault(parameter).orElseThrow();
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ConfigurationError.invalid(parameter.key(), value, "true or false");
        };
    }

    /** A whole number from {@code min} to {@code max}; {@code expected} says so to the operator. */
    public int integer(DocumentedParameter parameter, int min, int max, String expected) {
        String value = getOrDefault(parameter).orElseThrow();
        try {
            int number = Integer.parseInt(value);
            if (number < min || number > max) {
                throw ConfigurationError.invalid(parameter.key(), value, expected);
            }
            return number;
        } catch (NumberFormatException e) {
            throw ConfigurationError.invalid(parameter.key(), value, expected);
        }
    }

    /**
     * A duration, in seconds when bare ({@link DurationSyntax}); zero is accepted only when
     * {@code zeroMeans} says what it means (e.g. {@code "off"}), else the duration must be positive.
     */
    public Duration duration(DocumentedParameter parameter, Optional<String> zeroMeans) {
        String value = getOrDefault(parameter).orElseThrow();
        String expected = zeroMeans.map(meaning -> "a duration (0 = " + meaning + "): ").orElse("a positive duration: ")
                + DurationSyntax.expected(ChronoUnit.SECONDS);
        try {
            Duration duration = DurationSyntax.parse(value, ChronoUnit.SECONDS);
            if (duration.isZero() && zeroMeans.isEmpty()) {
                throw ConfigurationError.invalid(parameter.key(), value, expected);
            }
            return duration;
        } catch (IllegalArgumentException e) {
            throw ConfigurationError.invalid(parameter.key(), value, expected);
        }
    }

    /**
     * The LHLO name when none is configured, for the mailet and the SMTP hook: James's default
     * domain, else (with a warning) this host's name.
     */
    public static String defaultLhloName(Callable<String> jamesDefaultDomain) {
        try {
            return jamesDefaultDomain.call();
        } catch (Exception e) {
            LoggerFactory.getLogger(ParameterValues.class).warn( // obtained here: no logging set-up for a run that logs nothing
                    "No default domain from James's DomainList ({}); LHLO with this host's name", e.toString());
            return LmtpClient.localHostName();
        }
    }

    /** A name for LHLO: a host name or address literal without spaces; empty when absent. */
    public Optional<String> lhloName(DocumentedParameter parameter) {
        return get(parameter).map(value -> {
            try {
                return WireSafety.requireLhloName(value);
            } catch (IllegalArgumentException e) {
                throw ConfigurationError.invalid(parameter.key(), value, "a host name or address literal without spaces");
            }
        });
    }
}
