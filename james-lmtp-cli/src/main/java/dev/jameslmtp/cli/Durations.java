package dev.jameslmtp.cli;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

import dev.jameslmtp.conf.DurationSyntax;

/**
 * The durations written on the command line and in {@code -C} files, in the syntax the mailet and
 * the SMTP hook read ({@link DurationSyntax}: {@code 30s}, {@code 500ms}, {@code 2m},
 * {@code 30 seconds}, ISO-8601 {@code PT30S}); a bare number is in seconds. Zero and negative
 * durations are refused.
 */
final class Durations {

    private Durations() {
    }

    /** @throws IllegalArgumentException saying what is accepted */
    static Duration parse(String text) {
        Duration duration;
        try {
            duration = DurationSyntax.parse(text, ChronoUnit.SECONDS);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (write e.g. 30s, 500ms, 2m, 1h or 30)");
        }
        if (duration.isZero()) {
            throw new IllegalArgumentException("'" + text + "' is not a positive duration");
        }
        return duration;
    }
}
