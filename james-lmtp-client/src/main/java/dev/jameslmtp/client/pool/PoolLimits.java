package dev.jameslmtp.client.pool;

import java.time.Duration;
import java.util.Objects;

/**
 * How long and how often a cached connection may serve, after Postfix's
 * {@code lmtp_connection_cache_time_limit} ({@code idleTime}, default 2 s),
 * {@code lmtp_connection_reuse_time_limit} ({@code reuseTime}, 300 s) and
 * {@code lmtp_connection_reuse_count_limit} ({@code reuseLimit}, 0 = unlimited), with a bound on
 * the idle connections kept per key ({@code maxIdle}). {@code enabled} false turns caching off:
 * a connection per transaction, closed with QUIT.
 *
 * <p>DIAGNOSTICS: the constructor throws {@link IllegalArgumentException} naming the limit.
 */
public record PoolLimits(boolean enabled, Duration idleTime, Duration reuseTime, int reuseLimit, int maxIdle) {

    public static final Duration DEFAULT_IDLE_TIME = Duration.ofSeconds(2);
    public static final Duration DEFAULT_REUSE_TIME = Duration.ofSeconds(300);
    public static final int DEFAULT_MAX_IDLE = 10;

    public PoolLimits {
        Objects.requireNonNull(idleTime, "idleTime");
        Objects.requireNonNull(reuseTime, "reuseTime");
        if (idleTime.isNegative() || idleTime.isZero()) {
            throw new IllegalArgumentException("idleTime <= 0: " + idleTime);
        }
        if (reuseTime.isNegative() || reuseTime.isZero()) {
            throw new IllegalArgumentException("reuseTime <= 0: " + reuseTime);
        }
        if (reuseLimit < 0) {
            throw new IllegalArgumentException("reuseLimit < 0: " + reuseLimit);
        }
        if (maxIdle < 1) {
            throw new IllegalArgumentException("maxIdle < 1: " + maxIdle);
        }
    }

    public static PoolLimits defaults() {
        return new PoolLimits(true, DEFAULT_IDLE_TIME, DEFAULT_REUSE_TIME, 0, DEFAULT_MAX_IDLE);
    }

    /** No caching: each transaction on a connection of its own. */
    public static PoolLimits disabled() {
        return new PoolLimits(false, DEFAULT_IDLE_TIME, DEFAULT_REUSE_TIME, 0, DEFAULT_MAX_IDLE);
    }
}
