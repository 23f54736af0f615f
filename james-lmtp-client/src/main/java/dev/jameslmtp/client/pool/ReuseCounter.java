package dev.jameslmtp.client.pool;

/** Told of every transaction and whether it ran on a reused connection; for metrics. */
@FunctionalInterface
public interface ReuseCounter {

    ReuseCounter NONE = reused -> { };

    void transaction(boolean onReusedConnection);
}
