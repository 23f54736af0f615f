package dev.jameslmtp.client.sasl;

/**
 * The SCRAM iteration counts ({@code i=} of the server's first message) a client accepts before it
 * computes anything ({@code saslScramMaxIterations}). The server chooses the count and the client
 * pays for it: PBKDF2 with {@code i=2147483647} is many minutes of one CPU, and {@code i=1} makes
 * the proof cheap to attack offline. Accepted: from {@value #MIN}, the least RFC 5802 §5.1 and
 * RFC 7677 §4 allow (and the default of Dovecot and of Cyrus SASL), up to {@link #max()}.
 *
 * <p>The default maximum, {@value #DEFAULT_MAX} (2<sup>16</sup>), is the limit compiled into
 * Cyrus SASL's SCRAM client ({@code MAX_ITERATION_COUNTER}), the SASL client Postfix's
 * {@code lmtp} uses: a store Postfix can authenticate to is accepted, with sixteen times the
 * servers' default as headroom, and a hostile store costs a few tens of milliseconds of CPU per
 * attempt, not minutes.
 */
public record ScramIterations(int max) {

    /** RFC 7677 §4 (SCRAM-SHA-256) and RFC 5802 §5.1 (SCRAM-SHA-1): the count SHOULD be at least 4096. */
    public static final int MIN = 4096;
    public static final int DEFAULT_MAX = 65_536;
    public static final ScramIterations DEFAULT = new ScramIterations(DEFAULT_MAX);

    /** @throws IllegalArgumentException when {@code max} is below {@value #MIN} */
    public ScramIterations {
        if (max < MIN) {
            throw new IllegalArgumentException("the maximum SCRAM iteration count must be at least " + MIN + ": " + max);
        }
    }

    public boolean accepts(int count) {
        return count >= MIN && count <= max;
    }

    /** {@code "4096 to 65536"}. */
    @Override
    public String toString() {
        return MIN + " to " + max;
    }
}
