package dev.jameslmtp.smtp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import dev.jameslmtp.client.session.Stage;
import dev.jameslmtp.client.session.Timeouts;
import dev.jameslmtp.client.wire.WireSafety;
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
                                    Duration temporaryExpireTime, boolean localPartCaseSensitive, Probing probing,
                                    boolean transcript, ClientSecurity security) {

    static final int MAX_CACHE_SIZE = 10_000_000;

    /**
     * How probes run: the longest an SMTP network thread waits for one ({@code verifyBudget}), the
     * total time of one probe ({@code probeTimeout}), the probe threads and their queue.
     */
    public record Probing(Duration verifyBudget, Duration probeTimeout, int probeThreads, int probeQueueSize) {

        /** The budget's upper bound: it is time taken from James's SMTP network threads. */
        static final Duration MAX_VERIFY_BUDGET = Duration.ofSeconds(2);
        static final int MAX_PROBE_THREADS = 256;
        static final int MAX_PROBE_QUEUE_SIZE = 100_000;

        public Probing {
            if (Objects.requireNonNull(verifyBudget, "verifyBudget").isNegative() || verifyBudget.compareTo(MAX_VERIFY_BUDGET) > 0) {
                throw new IllegalArgumentException("verifyBudget outside 0.." + MAX_VERIFY_BUDGET + ": " + verifyBudget);
            }
            requirePositive("probeTimeout", probeTimeout);
            if (probeThreads < 1 || probeThreads > MAX_PROBE_THREADS) {
                throw new IllegalArgumentException("probeThreads outside 1.." + MAX_PROBE_THREADS + ": " + probeThreads);
            }
            if (probeQueueSize < 0 || probeQueueSize > MAX_PROBE_QUEUE_SIZE) {
                throw new IllegalArgumentException("probeQueueSize outside 0.." + MAX_PROBE_QUEUE_SIZE + ": " + probeQueueSize);
            }
        }

        private static Probing parse(ParameterValues values) {
            Duration budget = values.duration(HookParameter.VERIFY_BUDGET, Optional.of("never wait: answer 'in progress' at once"));
            if (budget.compareTo(MAX_VERIFY_BUDGET) > 0) {
                throw ConfigurationError.invalid(HookParameter.VERIFY_BUDGET.key(), values.get(HookParameter.VERIFY_BUDGET).orElseThrow(),
                        "a duration from 0 to 2 seconds, e.g. '200 ms': it is time taken from James's SMTP network threads");
            }
            return new Probing(budget,
                    values.duration(HookParameter.PROBE_TIMEOUT, Optional.empty()),
                    values.integer(HookParameter.PROBE_THREADS, 1, MAX_PROBE_THREADS, "a whole number from 1 to " + MAX_PROBE_THREADS),
                    values.integer(HookParameter.PROBE_QUEUE_SIZE, 0, MAX_PROBE_QUEUE_SIZE,
                            "a whole number from 0 (no queue) to " + MAX_PROBE_QUEUE_SIZE));
        }
    }

    public VerifierConfiguration {
        Objects.requireNonNull(routing, "routing");
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(probing, "probing");
        WireSafety.requireLhloName(Objects.requireNonNull(lhloName, "lhloName"));
        requirePositive("connectTimeout", connectTimeout);
        requirePositive("replyTimeout", replyTimeout);
        if (positiveExpireTime.isNegative() || negativeExpireTime.isNegative() || temporaryExpireTime.isNegative()) {
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
                values.duration(HookParameter.TEMPORARY_EXPIRE_TIME, Optional.of("not remembered")),
                values.bool(HookParameter.LOCAL_PART_CASE_SENSITIVE),
                Probing.parse(values),
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
