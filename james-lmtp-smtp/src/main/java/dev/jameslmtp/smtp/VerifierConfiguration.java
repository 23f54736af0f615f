package dev.jameslmtp.smtp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import dev.jameslmtp.client.Stage;
import dev.jameslmtp.client.Timeouts;
import dev.jameslmtp.client.WireSafety;
import dev.jameslmtp.conf.ClientSecurity;
import dev.jameslmtp.conf.ConfigurationError;
import dev.jameslmtp.conf.ParameterValues;
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
        ParameterValues values = new ParameterValues(parameters);
        return new VerifierConfiguration(
                Routing.parse(values.get(HookParameter.DESTINATION), values.get(HookParameter.TRANSPORT_MAP)),
                values.lhloName(HookParameter.LHLO_NAME).orElseGet(defaultLhloName),
                values.duration(HookParameter.CONNECT_TIMEOUT, Optional.empty()),
                values.duration(HookParameter.REPLY_TIMEOUT, Optional.empty()),
                values.duration(HookParameter.POSITIVE_EXPIRE_TIME, Optional.of("not remembered")),
                values.duration(HookParameter.NEGATIVE_EXPIRE_TIME, Optional.of("not remembered")),
                values.integer(HookParameter.CACHE_SIZE, 0, MAX_CACHE_SIZE, "a whole number from 0 (nothing remembered) to " + MAX_CACHE_SIZE),
                values.bool(HookParameter.TRANSCRIPT),
                ClientSecurity.parse(parameters));
    }

    /** The probe's timeouts: {@code connectTimeout} to connect, {@code replyTimeout} for every reply it waits for. */
    public Timeouts timeouts() {
        Timeouts timeouts = Timeouts.defaults().withAll(replyTimeout);
        return timeouts.with(Stage.CONNECT, connectTimeout);
    }

    private static void requirePositive(String name, Duration duration) {
        if (Objects.requireNonNull(duration, name).isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " <= 0: " + duration);
        }
    }
}
