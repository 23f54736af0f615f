package dev.jameslmtp.conf;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * A random spread of retry times ({@code retryJitter}), so that mail deferred in the same second
 * (a store going down) does not come back in the same second (the store coming back): a delay
 * {@code d} becomes a time between {@code d} and {@code d × (1 + fraction)}. Never earlier than
 * scheduled: a retry is still a "not before" time, as {@code delayTime} says.
 *
 * @param fraction 0 (no spread) to 1 (up to twice the delay)
 */
public record RetryJitter(double fraction) {

    public static final RetryJitter NONE = new RetryJitter(0);
    public static final String DEFAULT = "10%";
    static final String EXPECTED = "a percentage from 0% to 100% (e.g. '10%': a retry comes up to 10% of its delay later than"
            + " scheduled, never earlier) or the same as a fraction from 0 to 1 ('0.1')";

    public RetryJitter {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("jitter outside 0..1: " + fraction);
        }
    }

    /** {@code 10%} or {@code 0.1}. */
    public static RetryJitter parse(String value) {
        String text = value.strip();
        boolean percent = text.endsWith("%");
        String number = percent ? text.substring(0, text.length() - 1).strip() : text;
        if (!number.matches("\\d{1,3}(\\.\\d{1,6})?")) {
            throw new IllegalArgumentException("'" + value + "' is not a number");
        }
        double fraction = new BigDecimal(number).doubleValue() / (percent ? 100 : 1);
        return new RetryJitter(fraction);
    }

    /**
     * {@code delay} spread by {@code random} (0 inclusive to 1 exclusive, e.g.
     * {@code ThreadLocalRandom.current().nextDouble()}): from {@code delay} to
     * {@code delay × (1 + fraction)}, to the millisecond; never less than {@code delay}.
     */
    public Duration spread(Duration delay, double random) {
        if (fraction == 0 || delay.isZero() || delay.isNegative()) {
            return delay;
        }
        double r = Math.min(Math.max(random, 0), 1);
        long extraMillis = (long) Math.floor(delay.toMillis() * fraction * r);
        return delay.plusMillis(extraMillis);
    }

    @Override
    public String toString() {
        return BigDecimal.valueOf(fraction * 100).stripTrailingZeros().toPlainString() + "%";
    }
}
