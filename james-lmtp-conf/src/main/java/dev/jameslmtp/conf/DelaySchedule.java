package dev.jameslmtp.conf;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When to try again after a temporary failure: the delay before each retry, and how many retries
 * a recipient gets before it bounces.
 *
 * <p>{@code delayTime} uses RemoteDelivery's syntax: a comma-separated list of
 * {@code [attempts*]duration}, e.g. {@code 4*1 minute, 3*5 minutes, 1 hour}; {@code attempts}
 * defaults to 1, and a bare number is in milliseconds, as in RemoteDelivery, so that its settings
 * can be copied over. It is reconciled with {@code maxRetries} as RemoteDelivery's
 * {@code DelaysAndMaxRetry} does: when the attempts add up to more than {@code maxRetries},
 * {@code maxRetries} is raised to their sum; when they add up to less, the last delay is repeated.
 * Both are logged as warnings. Unlike RemoteDelivery, a malformed entry is an error, never a
 * silent fallback.
 *
 * <p>Invariant: {@code delays().size() == maxRetries()}; retry {@code n} (from 1) waits
 * {@code delays().get(n - 1)}.
 */
public record DelaySchedule(List<Duration> delays, int maxRetries) {

    private static final Logger LOGGER = LoggerFactory.getLogger(DelaySchedule.class);

    public static final String DEFAULT_DELAY_TIME = "1 minute, 5 minutes, 15 minutes, 1 hour, 6 hours";
    public static final int DEFAULT_MAX_RETRIES = 5;
    static final String EXPECTED = "a comma-separated list of [attempts*]duration, e.g. '4*1 minute, 3*5 minutes, 1 hour'"
            + " (attempts: a whole number >= 0, default 1; duration: a whole number with an optional unit ms, s, m, h, d, w"
            + " or their long forms; a bare number is in milliseconds, as in RemoteDelivery)";
    private static final int MAX_TOTAL_RETRIES = 10_000;

    public DelaySchedule {
        delays = List.copyOf(delays);
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries < 0: " + maxRetries);
        }
        if (delays.size() != maxRetries) {
            throw new IllegalArgumentException(delays.size() + " delays for " + maxRetries + " retries");
        }
    }

    /** The defaults: {@value #DEFAULT_DELAY_TIME}, {@value #DEFAULT_MAX_RETRIES} retries. */
    public static DelaySchedule defaults() {
        return parse(DEFAULT_DELAY_TIME, DEFAULT_MAX_RETRIES);
    }

    /**
     * {@code maxRetries} retries on the default delays, when {@code delayTime} is not set: the
     * first {@code maxRetries} of them, the last one repeated if more are needed. (Reconciling
     * the default list would raise a small {@code maxRetries} to its length.)
     */
    public static DelaySchedule withDefaultDelays(int maxRetries) {
        List<Duration> defaults = defaults().delays();
        if (maxRetries < 0 || maxRetries > MAX_TOTAL_RETRIES) {
            throw ConfigurationError.invalid("maxRetries", Integer.toString(maxRetries), "a whole number from 0 to " + MAX_TOTAL_RETRIES);
        }
        List<Duration> delays = new ArrayList<>();
        for (int i = 0; i < maxRetries; i++) {
            delays.add(defaults.get(Math.min(i, defaults.size() - 1)));
        }
        return new DelaySchedule(delays, maxRetries);
    }

    /**
     * Parses {@code delayTime} and reconciles it with {@code maxRetries}.
     *
     * @throws ConfigurationError naming {@code delayTime} or {@code maxRetries}
     */
    public static DelaySchedule parse(String delayTime, int maxRetries) {
        if (maxRetries < 0 || maxRetries > MAX_TOTAL_RETRIES) {
            throw ConfigurationError.invalid("maxRetries", Integer.toString(maxRetries), "a whole number from 0 to " + MAX_TOTAL_RETRIES);
        }
        List<Entry> entries = entries(delayTime);
        int total = entries.stream().mapToInt(Entry::attempts).sum();
        if (total > MAX_TOTAL_RETRIES) {
            throw ConfigurationError.invalid("delayTime", delayTime, "at most " + MAX_TOTAL_RETRIES + " attempts in all; " + EXPECTED);
        }
        if (total > maxRetries) {
            LOGGER.warn("delayTime '{}' holds {} attempts, more than maxRetries {}: maxRetries is raised to {}",
                    delayTime, total, maxRetries, total);
        } else if (total < maxRetries) {
            Entry last = entries.get(entries.size() - 1);
            LOGGER.warn("delayTime '{}' holds {} attempts, fewer than maxRetries {}: its last delay {} is repeated",
                    delayTime, total, maxRetries, DurationSyntax.format(last.delay()));
            entries.set(entries.size() - 1, new Entry(last.attempts() + maxRetries - total, last.delay()));
        }
        List<Duration> delays = new ArrayList<>();
        for (Entry entry : entries) {
            delays.addAll(Collections.nCopies(entry.attempts(), entry.delay()));
        }
        return new DelaySchedule(delays, delays.size());
    }

    /** The delay before retry {@code retry} (counted from 1). */
    public Duration delayBeforeRetry(int retry) {
        if (retry < 1 || retry > maxRetries) {
            throw new IllegalArgumentException("retry " + retry + " is outside 1.." + maxRetries);
        }
        return delays.get(retry - 1);
    }

    /**
     * The shortest wait before mail is tried again, as Postfix's {@code minimal_backoff_time}: the
     * shortest delay, or the shortest default delay when there are no retries. A dead destination
     * waits this long (spread by {@code retryJitter}) before its probe.
     */
    public Duration minimalBackoff() {
        return Collections.min(delays.isEmpty() ? defaults().delays() : delays);
    }

    private static List<Entry> entries(String delayTime) {
        if (delayTime.isBlank()) {
            throw ConfigurationError.invalid("delayTime", delayTime, EXPECTED);
        }
        List<Entry> entries = new ArrayList<>();
        for (String part : delayTime.split(",", -1)) {
            entries.add(entry(delayTime, part.strip()));
        }
        return entries;
    }

    private static Entry entry(String delayTime, String part) {
        String[] pieces = part.split("\\*", -1);
        if (part.isEmpty() || pieces.length > 2) {
            throw ConfigurationError.invalid("delayTime", delayTime, "entry '" + part + "' is malformed; " + EXPECTED);
        }
        int attempts = 1;
        if (pieces.length == 2) {
            String count = pieces[0].strip();
            if (!count.matches("\\d{1,5}")) {
                throw ConfigurationError.invalid("delayTime", delayTime, "attempts '" + count + "' is not a whole number >= 0; " + EXPECTED);
            }
            attempts = Integer.parseInt(count);
        }
        String duration = pieces[pieces.length - 1];
        try {
            return new Entry(attempts, DurationSyntax.parse(duration, ChronoUnit.MILLIS));
        } catch (IllegalArgumentException e) {
            throw ConfigurationError.invalid("delayTime", delayTime, "duration '" + duration.strip() + "': " + e.getMessage() + "; " + EXPECTED);
        }
    }

    private record Entry(int attempts, Duration delay) {
    }
}
