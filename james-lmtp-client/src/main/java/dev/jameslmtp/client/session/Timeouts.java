package dev.jameslmtp.client.session;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Objects;

/**
 * One timeout per {@link Stage}; Postfix's LMTP defaults unless changed. GREETING shares the
 * LHLO timeout, as Postfix's {@code lmtp_lhlo_timeout} covers both. A stage's timeout is a deadline
 * for each whole reply read in it, not for each read (as Postfix with
 * {@code lmtp_per_record_deadline = yes}), so a server that drips a reply byte by byte is cut off;
 * it also bounds each write. The STARTTLS timeout is also a deadline for the whole TLS handshake
 * (after STARTTLS or in wrapper mode), as Postfix's {@code lmtp_starttls_timeout}. The BODY timeout
 * bounds every write of message content, so a server that stops reading cannot stall a delivery
 * forever; the BDAT timeout does the same for each chunk, and bounds the reply to each chunk but the last.
 */
public final class Timeouts {

    private static final Timeouts DEFAULTS = new Timeouts(new EnumMap<>(Stage.class));

    private final EnumMap<Stage, Duration> overrides;
    /** Every stage's timeout, worked out once: {@link #of} runs for each read and write of a session. */
    private final EnumMap<Stage, Duration> all;
    private final int hash;

    private Timeouts(EnumMap<Stage, Duration> overrides) {
        this.overrides = overrides;
        this.all = new EnumMap<>(Stage.class);
        for (Stage stage : Stage.values()) {
            all.put(stage, resolve(stage));
        }
        this.hash = all.hashCode();
    }

    public static Timeouts defaults() {
        return DEFAULTS;
    }

    /** A copy with {@code stage}'s timeout set. @throws IllegalArgumentException if not positive */
    public Timeouts with(Stage stage, Duration timeout) {
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException(stage.name().toLowerCase() + " timeout must be positive: " + timeout);
        }
        EnumMap<Stage, Duration> copy = overrides.isEmpty() ? new EnumMap<>(Stage.class) : new EnumMap<>(overrides);
        copy.put(stage, timeout);
        return new Timeouts(copy);
    }

    /** A copy with every stage set to {@code timeout}: handy for tests and the command line. */
    public Timeouts withAll(Duration timeout) {
        Timeouts result = this;
        for (Stage stage : Stage.values()) {
            result = result.with(stage, timeout);
        }
        return result;
    }

    public Duration of(Stage stage) {
        return all.get(stage);
    }

    private Duration resolve(Stage stage) {
        Duration value = overrides.get(stage);
        if (value != null) {
            return value;
        }
        if (stage == Stage.GREETING && overrides.containsKey(Stage.LHLO)) {
            return overrides.get(Stage.LHLO);
        }
        return stage.defaultTimeout();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Timeouts other && (other == this || (hash == other.hash && all.equals(other.all)));
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return all.toString();
    }
}
