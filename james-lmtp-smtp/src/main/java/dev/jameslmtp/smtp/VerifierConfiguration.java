package dev.jameslmtp.smtp;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import dev.jameslmtp.client.Stage;
import dev.jameslmtp.client.Timeouts;
import dev.jameslmtp.client.WireSafety;
import dev.jameslmtp.conf.ClientSecurity;
import dev.jameslmtp.conf.ConfigurationError;
import dev.jameslmtp.conf.DurationSyntax;
import dev.jameslmtp.conf.Routing;

/**
 * The parsed, validated parameters of {@link VerifyRecipientInStore} (names and defaults in
 * {@link HookParameter}). Built once by {@link #parse}; immutable.
 *
 * <p>The TLS and SASL parameters are the mailet's ({@link ClientSecurity}): the probe talks to
 * the store exactly as {@code LmtpDelivery} does.
 *
 * <p>{@link #parse} throws a {@link ConfigurationError} naming the parameter, the rejected value
 * and the accepted form for an unknown parameter, an empty or malformed value, or neither or both
 * of {@code destination} and {@code transportMap}.
 */
public record VerifierConfiguration(Routing routing, String lhloName, Duration connectTimeout, Duration replyTimeout,
                                    Duration positiveExpireTime, Duration negativeExpireTime, int cacheSize,
                                    boolean transcript, ClientSecurity security) {

    static final int MAX_CACHE_SIZE = 10_000_000;

    public VerifierConfiguration {
        Objects.requireNonNull(routing, "routing");
        Objects.requireNonNull(security, "security");
        WireSafety.requireLhloName(Objects.requireNonNull(lhloName, "lhloName"));
        requirePositive("connectTimeout", connectTimeout);
        requirePositive("replyTimeout", replyTimeout);
        if (positiveExpireTime.isNegative() || negativeExpireTime.isNegative()) {
            throw new IllegalArgumentException("negative expiry time");
        }
        if (cacheSize < 0 || cacheSize > MAX_CACHE_SIZE) {
            throw new IllegalArgumentException("cacheSize outside 0.." + MAX_CACHE_SIZE + ": " + cacheSize);
        }
    }

    /**
     * Parses the hook's parameters.
     *
     * @param parameters      name to value, as configured
     * @param defaultLhloName the LHLO name when {@code lhloName} is not set (James's default domain)
     * @throws ConfigurationError on any problem, naming the parameter
     */
    public static VerifierConfiguration parse(Map<String, String> parameters, Supplier<String> defaultLhloName) {
        List<String> unknown = parameters.keySet().stream()
                .filter(key -> !HookParameter.keys().contains(key) && !ClientSecurity.keys().contains(key))
                .sorted()
                .toList();
        if (!unknown.isEmpty()) {
            List<String> accepted = new ArrayList<>(Arrays.stream(HookParameter.values()).map(HookParameter::key).toList());
            accepted.addAll(ClientSecurity.keys().stream().sorted().toList());
            throw ConfigurationError.unknown(unknown, accepted);
        }
        return new VerifierConfiguration(
                Routing.parse(get(parameters, HookParameter.DESTINATION), get(parameters, HookParameter.TRANSPORT_MAP)),
                get(parameters, HookParameter.LHLO_NAME).map(VerifierConfiguration::lhloName).orElseGet(defaultLhloName),
                duration(parameters, HookParameter.CONNECT_TIMEOUT, false),
                duration(parameters, HookParameter.REPLY_TIMEOUT, false),
                duration(parameters, HookParameter.POSITIVE_EXPIRE_TIME, true),
                duration(parameters, HookParameter.NEGATIVE_EXPIRE_TIME, true),
                cacheSize(parameters),
                bool(parameters, HookParameter.TRANSCRIPT),
                ClientSecurity.parse(parameters));
    }

    /** The probe's timeouts: {@code connectTimeout} to connect, {@code replyTimeout} for every reply it waits for. */
    public Timeouts timeouts() {
        Timeouts timeouts = Timeouts.defaults().withAll(replyTimeout);
        return timeouts.with(Stage.CONNECT, connectTimeout);
    }

    private static Optional<String> get(Map<String, String> parameters, HookParameter parameter) {
        String value = parameters.get(parameter.key());
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

    private static String getOrDefault(Map<String, String> parameters, HookParameter parameter) {
        return get(parameters, parameter).or(parameter::defaultValue).orElseThrow();
    }

    private static String lhloName(String value) {
        try {
            return WireSafety.requireLhloName(value);
        } catch (IllegalArgumentException e) {
            throw ConfigurationError.invalid("lhloName", value, "a host name or address literal without spaces");
        }
    }

    private static Duration duration(Map<String, String> parameters, HookParameter parameter, boolean zeroAllowed) {
        String value = getOrDefault(parameters, parameter);
        String expected = (zeroAllowed ? "a duration (0 = not remembered): " : "a positive duration: ")
                + DurationSyntax.expected(ChronoUnit.SECONDS);
        Duration duration;
        try {
            duration = DurationSyntax.parse(value, ChronoUnit.SECONDS);
        } catch (IllegalArgumentException e) {
            throw ConfigurationError.invalid(parameter.key(), value, expected);
        }
        if (duration.isZero() && !zeroAllowed) {
            throw ConfigurationError.invalid(parameter.key(), value, expected);
        }
        return duration;
    }

    private static int cacheSize(Map<String, String> parameters) {
        String value = getOrDefault(parameters, HookParameter.CACHE_SIZE);
        String expected = "a whole number from 0 (nothing remembered) to " + MAX_CACHE_SIZE;
        try {
            int size = Integer.parseInt(value);
            if (size < 0 || size > MAX_CACHE_SIZE) {
                throw ConfigurationError.invalid(HookParameter.CACHE_SIZE.key(), value, expected);
            }
            return size;
        } catch (NumberFormatException e) {
            throw ConfigurationError.invalid(HookParameter.CACHE_SIZE.key(), value, expected);
        }
    }

    private static boolean bool(Map<String, String> parameters, HookParameter parameter) {
        String value = getOrDefault(parameters, parameter);
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ConfigurationError.invalid(parameter.key(), value, "true or false");
        };
    }

    private static void requirePositive(String name, Duration duration) {
        if (Objects.requireNonNull(duration, name).isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " <= 0: " + duration);
        }
    }
}
