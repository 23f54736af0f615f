package dev.jameslmtp.conf;

import java.math.BigDecimal;
import java.util.Locale;

/**
 * How much a destination's concurrency window moves after one delivery, as Postfix's
 * {@code default_destination_concurrency_positive_feedback} and {@code ..._negative_feedback}:
 * a constant in 0..1 ({@code 1}, {@code 0.5}, {@code 1/8}) or a constant divided by the window
 * ({@code 1/concurrency}). With feedback {@code f}, the window moves by one after a sequence of
 * {@code 1/f} deliveries: {@code 1} moves it after each delivery, {@code 1/concurrency} after a
 * whole window's worth (a pseudo-cohort). {@code 0} never moves it.
 *
 * @param amount         the constant, 0 to 1
 * @param perConcurrency true for {@code amount/concurrency}
 */
public record ConcurrencyFeedback(double amount, boolean perConcurrency) {

    /** Postfix's default for both directions: one step per delivery. */
    public static final ConcurrencyFeedback ONE = new ConcurrencyFeedback(1, false);
    static final String EXPECTED = "a number from 0 to 1 ('1', '0.5'), a fraction from 0 to 1 ('1/8'), or a number from 0 to 1"
            + " divided by the window ('1/concurrency'), as Postfix writes its concurrency feedback";

    public ConcurrencyFeedback {
        if (!(amount >= 0 && amount <= 1)) {
            throw new IllegalArgumentException("feedback outside 0..1: " + amount);
        }
    }

    /** The feedback for one delivery when the window is {@code window} (at least 1). */
    public double at(int window) {
        return perConcurrency ? amount / Math.max(1, window) : amount;
    }

    /**
     * Parses Postfix's forms: {@code number}, {@code number/number}, {@code number/concurrency}
     * (spaces around {@code /} allowed).
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static ConcurrencyFeedback parse(String value) {
        String[] parts = value.strip().split("\\s*/\\s*", -1);
        if (parts.length > 2) {
            throw new IllegalArgumentException("more than one '/'");
        }
        double numerator = number(parts[0]);
        if (parts.length == 1) {
            return new ConcurrencyFeedback(numerator, false);
        }
        if (parts[1].toLowerCase(Locale.ROOT).equals("concurrency")) {
            return new ConcurrencyFeedback(numerator, true);
        }
        double denominator = number(parts[1]);
        if (denominator == 0) {
            throw new IllegalArgumentException("division by zero");
        }
        return new ConcurrencyFeedback(numerator / denominator, false);
    }

    private static double number(String text) {
        if (!text.matches("\\d{1,9}(\\.\\d{1,9})?|\\.\\d{1,9}")) {
            throw new IllegalArgumentException("'" + text + "' is not a number");
        }
        return new BigDecimal(text).doubleValue();
    }

    /** In Postfix's syntax. */
    @Override
    public String toString() {
        String number = BigDecimal.valueOf(amount).stripTrailingZeros().toPlainString();
        return perConcurrency ? number + "/concurrency" : number;
    }
}
