package dev.jameslmtp.conf;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations written as James's {@code DurationParser} reads them: a whole number, optional
 * spaces, an optional unit ({@code 30 seconds}, {@code 5m}, {@code 2 hours}, {@code 500ms}).
 * Units: ms/msec/msecs, s/sec/secs/second/seconds, m/min/mins/minute/minutes, h/hour/hours,
 * d/day/days, w/week/weeks (case-insensitive). A bare number takes the default unit of the
 * parameter, which its documentation states. ISO-8601 ({@code PT30S}, {@code PT1M30S}) is read
 * too. Months and years are not accepted: nobody waits that long for a local delivery. The one
 * duration syntax of the mailet, the SMTP hook and the {@code lmtp} command.
 */
public final class DurationSyntax {

    private static final Pattern SHAPE = Pattern.compile("\\s*(\\d{1,12})\\s*([a-zA-Z]*)\\s*");
    private static final Pattern ISO = Pattern.compile("\\s*[pP][tT][0-9.,hmsHMS-]+\\s*");

    private static final Map<String, ChronoUnit> UNITS = units(
            ChronoUnit.MILLIS, List.of("ms", "msec", "msecs"),
            ChronoUnit.SECONDS, List.of("s", "sec", "secs", "second", "seconds"),
            ChronoUnit.MINUTES, List.of("m", "min", "mins", "minute", "minutes"),
            ChronoUnit.HOURS, List.of("h", "hour", "hours"),
            ChronoUnit.DAYS, List.of("d", "day", "days"),
            ChronoUnit.WEEKS, List.of("w", "week", "weeks"));

    private DurationSyntax() {
    }

    /**
     * @throws IllegalArgumentException with a message saying what is wrong (not naming a parameter:
     *                                  callers add that)
     */
    public static Duration parse(String text, ChronoUnit defaultUnit) {
        if (ISO.matcher(text).matches()) {
            return iso(text.strip());
        }
        Matcher m = SHAPE.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration");
        }
        long amount = Long.parseLong(m.group(1));
        String unitName = m.group(2).toLowerCase(Locale.ROOT);
        ChronoUnit unit = unitName.isEmpty() ? defaultUnit : UNITS.get(unitName);
        if (unit == null) {
            throw new IllegalArgumentException("unknown unit '" + m.group(2) + "'");
        }
        try {
            return unit.getDuration().multipliedBy(amount);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("duration too long");
        }
    }

    private static Duration iso(String text) {
        try {
            Duration duration = Duration.parse(text);
            if (duration.isNegative()) {
                throw new IllegalArgumentException("negative duration");
            }
            return duration;
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("not a duration");
        }
    }

    /** The accepted form, for error messages. */
    public static String expected(ChronoUnit defaultUnit) {
        return "a whole number with an optional unit (ms, s, m, h, d, w or their long forms), e.g. '30 seconds' or '5m';"
                + " a bare number is in " + defaultUnit.toString().toLowerCase(Locale.ROOT);
    }

    /** {@code "30 seconds"}, {@code "5 minutes"}, {@code "1 hour"}, {@code "1500 ms"}: for logs and documentation. */
    public static String format(Duration duration) {
        long ms = duration.toMillis();
        for (Object[] unit : List.of(new Object[] {604_800_000L, "week"}, new Object[] {86_400_000L, "day"},
                new Object[] {3_600_000L, "hour"}, new Object[] {60_000L, "minute"}, new Object[] {1000L, "second"})) {
            long size = (Long) unit[0];
            if (ms >= size && ms % size == 0) {
                long n = ms / size;
                return n + " " + unit[1] + (n == 1 ? "" : "s");
            }
        }
        return ms + " ms";
    }

    private static Map<String, ChronoUnit> units(Object... unitsAndNames) {
        Map<String, ChronoUnit> map = new HashMap<>();
        for (int i = 0; i < unitsAndNames.length; i += 2) {
            ChronoUnit unit = (ChronoUnit) unitsAndNames[i];
            for (Object name : (List<?>) unitsAndNames[i + 1]) {
                map.put((String) name, unit);
            }
        }
        return Map.copyOf(map);
    }
}
