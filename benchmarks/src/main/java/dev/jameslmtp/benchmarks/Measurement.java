package dev.jameslmtp.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * One run of a load: messages, wall time, CPU time of the side measured, and, for our client,
 * how many transactions ran on a reused connection. {@link #median} takes the median run.
 */
record Measurement(long messages, long wallNanos, long cpuNanos, long transactions, long reused) {

    double perSecond() {
        return wallNanos == 0 ? 0 : messages * 1e9 / wallNanos;
    }

    /** CPU microseconds per message; negative when unknown. */
    double cpuMicrosPerMessage() {
        return cpuNanos < 0 || messages == 0 ? -1 : cpuNanos / 1e3 / messages;
    }

    OptionalDouble reuseShare() {
        return transactions == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) reused / transactions);
    }

    /** The run with the median rate (the lower middle one for an even count). */
    static Measurement median(List<Measurement> runs) {
        List<Measurement> sorted = new ArrayList<>(runs);
        sorted.sort((a, b) -> Double.compare(a.perSecond(), b.perSecond()));
        return sorted.get((sorted.size() - 1) / 2);
    }
}
