package dev.jameslmtp.conf;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.OrcptPolicy;
import dev.jameslmtp.client.pool.PoolLimits;
import dev.jameslmtp.client.sasl.SaslPolicy;
import dev.jameslmtp.client.session.Timeouts;
import dev.jameslmtp.client.tls.TlsPolicy;
import dev.jameslmtp.client.wire.WireSafety;
import dev.jameslmtp.conf.routing.Routing;

/**
 * The parsed, validated mailet parameters of {@code LmtpDelivery} (see {@link Parameter} for the
 * names and defaults). Built once by {@link #parse}; immutable.
 *
 * <p>{@link #parse} throws a {@link ConfigurationError} naming the parameter, the rejected value
 * and the accepted form, for: an unknown parameter (James's own {@code onMailetException},
 * {@code onMatcherException} and {@code onMatchException} excepted), a malformed value, an empty
 * value, neither or both of {@code destination} and {@code transportMap}, or a transport map that
 * cannot be read or parsed, a password map that cannot be read or parsed (the message names the
 * line, never its content), TLS files that cannot be used, {@code bounceProcessor} with
 * {@code bounceMode=rfc3464}, or {@code delayWarningTime} with {@code bounceMode=james}. Nothing
 * falls back silently to a default.
 */
public record LmtpDeliveryConfiguration(Routing routing, String lhloName, String outgoing, DelaySchedule delaySchedule,
                                        Optional<String> bounceProcessor, Optional<String> onSuccess, boolean softBounce,
                                        int recipientLimit, int concurrency, DestinationConcurrency destinationConcurrency,
                                        RetryJitter retryJitter, Timeouts timeouts, boolean skipQuitResponse,
                                        boolean skip5xxGreeting, OrcptPolicy orcpt, boolean useChunking, XclientDestinations xclient,
                                        boolean transcript,
                                        TlsPolicy tls, SaslPolicy sasl,
                                        PoolLimits connectionCache, Duration failureSkipTime,
                                        Reporting reporting) {

    static final int MAX_CONCURRENCY = 256;

    public LmtpDeliveryConfiguration {
        Objects.requireNonNull(routing, "routing");
        WireSafety.requireLhloName(Objects.requireNonNull(lhloName, "lhloName"));
        Objects.requireNonNull(outgoing, "outgoing");
        Objects.requireNonNull(delaySchedule, "delaySchedule");
        Objects.requireNonNull(bounceProcessor, "bounceProcessor");
        Objects.requireNonNull(onSuccess, "onSuccess");
        Objects.requireNonNull(destinationConcurrency, "destinationConcurrency");
        Objects.requireNonNull(retryJitter, "retryJitter");
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(orcpt, "orcpt");
        Objects.requireNonNull(xclient, "xclient");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(sasl, "sasl");
        Objects.requireNonNull(connectionCache, "connectionCache");
        Objects.requireNonNull(failureSkipTime, "failureSkipTime");
        Objects.requireNonNull(reporting, "reporting");
        if (reporting.bounceMode() == BounceMode.RFC3464 && bounceProcessor.isPresent()) {
            throw new IllegalArgumentException("bounceProcessor goes with bounceMode james only");
        }
        if (recipientLimit < 0) {
            throw new IllegalArgumentException("recipientLimit < 0: " + recipientLimit);
        }
        if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
            throw new IllegalArgumentException("concurrency outside 1.." + MAX_CONCURRENCY + ": " + concurrency);
        }
    }

    /**
     * Parses mailet parameters.
     *
     * @param parameters      name to value, as configured (values are stripped of surrounding white space)
     * @param defaultLhloName the LHLO name when {@code lhloName} is not set (James's default domain)
     * @throws ConfigurationError on any problem, naming the parameter
     */
    public static LmtpDeliveryConfiguration parse(Map<String, String> parameters, Supplier<String> defaultLhloName) {
        Values values = new Values(parameters);
        values.rejectUnknown();
        Optional<String> bounceProcessor = values.get(Parameter.BOUNCE_PROCESSOR).map(v -> processor(Parameter.BOUNCE_PROCESSOR, v));
        TlsPolicy tls = SecurityParameters.tls(values);
        return new LmtpDeliveryConfiguration(
                routing(values),
                values.lhloName(Parameter.LHLO_NAME).orElseGet(defaultLhloName),
                values.getOrDefault(Parameter.OUTGOING).map(v -> name(Parameter.OUTGOING, v)).orElseThrow(),
                schedule(values),
                bounceProcessor,
                values.get(Parameter.ON_SUCCESS).map(v -> processor(Parameter.ON_SUCCESS, v)),
                values.bool(Parameter.SOFT_BOUNCE),
                values.integer(Parameter.RECIPIENT_LIMIT, 0, Integer.MAX_VALUE, "a whole number >= 0 (0 = no limit)"),
                values.integer(Parameter.CONCURRENCY, 1, MAX_CONCURRENCY, "a whole number from 1 to " + MAX_CONCURRENCY),
                destinationConcurrency(values),
                retryJitter(values),
                timeouts(values),
                values.bool(Parameter.SKIP_QUIT_RESPONSE),
                values.bool(Parameter.SKIP_5XX_GREETING),
                orcpt(values),
                values.bool(Parameter.USE_CHUNKING),
                xclient(values),
                values.bool(Parameter.TRANSCRIPT),
                tls,
                SecurityParameters.sasl(values, tls),
                connectionCache(values),
                values.duration(Parameter.DESTINATION_FAILURE_SKIP_TIME, Optional.of("off")),
                reporting(values, bounceProcessor));
    }

    /** Postfix's scheduler parameters, by their Postfix names camel-cased. */
    private static DestinationConcurrency destinationConcurrency(Values values) {
        return new DestinationConcurrency(
                values.integer(Parameter.INITIAL_DESTINATION_CONCURRENCY, 1, MAX_CONCURRENCY, "a whole number from 1 to " + MAX_CONCURRENCY
                        + " (Postfix's initial_destination_concurrency; above concurrency, concurrency is used)"),
                feedback(values, Parameter.DESTINATION_CONCURRENCY_POSITIVE_FEEDBACK),
                feedback(values, Parameter.DESTINATION_CONCURRENCY_NEGATIVE_FEEDBACK),
                values.integer(Parameter.DESTINATION_CONCURRENCY_FAILED_COHORT_LIMIT, 0, 10_000,
                        "a whole number from 0 to 10000 (failed pseudo-cohorts before a destination is dead; 0 = never)"));
    }

    private static ConcurrencyFeedback feedback(Values values, Parameter parameter) {
        String value = values.getOrDefault(parameter).orElseThrow();
        try {
            return ConcurrencyFeedback.parse(value);
        } catch (IllegalArgumentException e) {
            throw ConfigurationError.invalid(parameter.key(), value, ConcurrencyFeedback.EXPECTED + " (" + e.getMessage() + ")");
        }
    }

    private static RetryJitter retryJitter(Values values) {
        String value = values.getOrDefault(Parameter.RETRY_JITTER).orElseThrow();
        try {
            return RetryJitter.parse(value);
        } catch (IllegalArgumentException e) {
            throw ConfigurationError.invalid(Parameter.RETRY_JITTER.key(), value, RetryJitter.EXPECTED);
        }
    }

    private static XclientDestinations xclient(Values values) {
        Optional<String> value = values.get(Parameter.XCLIENT_DESTINATIONS);
        try {
            return value.map(XclientDestinations::parse).orElse(XclientDestinations.NONE);
        } catch (IllegalArgumentException e) {
            throw ConfigurationError.invalid(Parameter.XCLIENT_DESTINATIONS.key(), value.get(),
                    "'*' (every destination) or LMTP destinations separated by commas, e.g. 'unix:/run/dovecot/lmtp' ("
                    + e.getMessage() + ")");
        }
    }

    private static OrcptPolicy orcpt(Values values) {
        String value = values.getOrDefault(Parameter.ORCPT_WITHOUT_DSN).orElseThrow();
        try {
            return OrcptPolicy.parse(value);
        } catch (IllegalArgumentException e) {
            throw ConfigurationError.invalid(Parameter.ORCPT_WITHOUT_DSN.key(), value,
                    "'auto' (to a store whose greeting names Dovecot), 'always' or 'never' (only to a store offering DSN)");
        }
    }

    private static PoolLimits connectionCache(Values values) {
        return new PoolLimits(values.bool(Parameter.CONNECTION_CACHE_ENABLED),
                values.duration(Parameter.CONNECTION_CACHE_IDLE_TIME, Optional.empty()),
                values.duration(Parameter.CONNECTION_CACHE_REUSE_TIME, Optional.empty()),
                values.integer(Parameter.CONNECTION_CACHE_REUSE_LIMIT, 0, Integer.MAX_VALUE, "a whole number >= 0 (0 = no limit)"),
                values.integer(Parameter.CONNECTION_CACHE_MAX_IDLE, 1, MAX_CONCURRENCY, "a whole number from 1 to " + MAX_CONCURRENCY));
    }

    /** The recipient limit per LMTP transaction, empty when unbounded. */
    public Optional<Integer> recipientLimitIfBounded() {
        return recipientLimit == 0 ? Optional.empty() : Optional.of(recipientLimit);
    }

    private static Routing routing(Values values) {
        return Routing.parse(values.get(Parameter.DESTINATION), values.get(Parameter.TRANSPORT_MAP));
    }

    private static Reporting reporting(Values values, Optional<String> bounceProcessor) {
        Optional<String> modeValue = values.get(Parameter.BOUNCE_MODE);
        BounceMode mode = modeValue
                .map(v -> BounceMode.of(v).orElseThrow(() -> ConfigurationError.invalid(Parameter.BOUNCE_MODE.key(), v,
                        "'rfc3464' (the mailet sends RFC 3464 DSNs) or 'james' (bounceProcessor / DSNBounce, as RemoteDelivery)")))
                .orElse(bounceProcessor.isPresent() ? BounceMode.JAMES : BounceMode.RFC3464);
        if (mode == BounceMode.RFC3464 && bounceProcessor.isPresent()) {
            throw ConfigurationError.conflict("parameter 'bounceProcessor' goes with bounceMode 'james' (James's DSNBounce path);"
                    + " with bounceMode 'rfc3464' the mailet sends the DSN itself: remove bounceProcessor or set bounceMode to 'james'");
        }
        Optional<Duration> delayWarningTime = values.get(Parameter.DELAY_WARNING_TIME).flatMap(LmtpDeliveryConfiguration::delayWarningTime);
        if (delayWarningTime.isPresent() && mode != BounceMode.RFC3464) {
            throw ConfigurationError.conflict("parameter 'delayWarningTime' needs bounceMode 'rfc3464' (DSNBounce cannot write delay"
                    + " warnings): remove delayWarningTime or bounceProcessor/bounceMode");
        }
        Set<NotifyClass> notifyClasses = new LinkedHashSet<>();
        for (String item : values.list(Parameter.NOTIFY_CLASSES)) {
            notifyClasses.add(NotifyClass.of(item).orElseThrow(() -> ConfigurationError.invalid(Parameter.NOTIFY_CLASSES.key(), item,
                    "a list of: " + Arrays.stream(NotifyClass.values()).map(NotifyClass::value).toList())));
        }
        List<Destination> debugPeers = new ArrayList<>();
        for (String item : values.list(Parameter.DEBUG_PEER_LIST)) {
            try {
                debugPeers.add(Destination.parse(item));
            } catch (IllegalArgumentException e) {
                throw ConfigurationError.invalid(Parameter.DEBUG_PEER_LIST.key(), item,
                        "a list of LMTP destinations written as for 'destination' (" + e.getMessage() + ")");
            }
        }
        return new Reporting(mode, delayWarningTime, notifyClasses, debugPeers);
    }

    /** Postfix's delay_warning_time: a bare number is in hours; 0 turns warnings off. */
    private static Optional<Duration> delayWarningTime(String value) {
        try {
            Duration time = DurationSyntax.parse(value, ChronoUnit.HOURS);
            return time.isZero() ? Optional.empty() : Optional.of(time);
        } catch (IllegalArgumentException e) {
            throw ConfigurationError.invalid(Parameter.DELAY_WARNING_TIME.key(), value,
                    "a duration (0 = no warnings): " + DurationSyntax.expected(ChronoUnit.HOURS));
        }
    }

    private static DelaySchedule schedule(Values values) {
        int maxRetries = values.integer(Parameter.MAX_RETRIES, 0, 10_000, "a whole number from 0 to 10000");
        Optional<String> delayTime = values.get(Parameter.DELAY_TIME);
        return delayTime.isPresent() ? DelaySchedule.parse(delayTime.get(), maxRetries) : DelaySchedule.withDefaultDelays(maxRetries);
    }

    private static Timeouts timeouts(Values values) {
        Timeouts timeouts = Timeouts.defaults();
        for (Parameter parameter : Parameter.values()) {
            if (parameter.stage().isPresent() && values.get(parameter).isPresent()) {
                String value = values.get(parameter).get();
                Duration timeout;
                try {
                    timeout = DurationSyntax.parse(value, ChronoUnit.SECONDS);
                } catch (IllegalArgumentException e) {
                    throw ConfigurationError.invalid(parameter.key(), value, "a positive duration: " + DurationSyntax.expected(ChronoUnit.SECONDS));
                }
                if (timeout.isZero()) {
                    throw ConfigurationError.invalid(parameter.key(), value, "a positive duration: " + DurationSyntax.expected(ChronoUnit.SECONDS));
                }
                timeouts = timeouts.with(parameter.stage().get(), timeout);
            }
        }
        return timeouts;
    }

    private static String processor(Parameter parameter, String value) {
        if (!value.matches("[\\w.-]+") || value.equalsIgnoreCase("ghost")) {
            throw ConfigurationError.invalid(parameter.key(), value, "the name of a processor of mailetcontainer.xml (letters, digits, '_', '.', '-'; not 'ghost')");
        }
        return value;
    }

    private static String name(Parameter parameter, String value) {
        if (!value.matches("[\\w.-]+")) {
            throw ConfigurationError.invalid(parameter.key(), value, "a mail queue name (letters, digits, '_', '.', '-')");
        }
        return value;
    }

    /** The mailet's parameters: those of {@link Parameter}, and the container's own. */
    static final class Values extends ParameterValues {

        Values(Map<String, String> raw) {
            super(raw);
        }

        void rejectUnknown() {
            List<String> unknown = raw().keySet().stream()
                    .filter(key -> !Parameter.keys().contains(key) && !Parameter.CONTAINER_PARAMETERS.contains(key))
                    .sorted()
                    .toList();
            if (!unknown.isEmpty()) {
                throw ConfigurationError.unknown(unknown, Arrays.stream(Parameter.values()).map(Parameter::key).toList());
            }
        }
    }
}
