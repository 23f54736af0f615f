package dev.jameslmtp.mailet;

import java.util.Collection;
import java.util.stream.Collectors;

import org.slf4j.MDC;

/**
 * The SLF4J MDC of an attempt, on every log line written while it runs (with James's own
 * {@code mail}, {@code sender} and {@code recipients} set by the queue consumer):
 * {@value #QUEUE}, the mailet's queue, and {@value #DESTINATION}, the LMTP destination (several,
 * comma-separated, for a mail that reaches more than one; during each exchange, that exchange's).
 * Closing puts back what the keys held before.
 */
final class AttemptMdc implements AutoCloseable {

    static final String QUEUE = "queue";
    static final String DESTINATION = "destination";

    private final String key;
    private final String previous;
    private final AttemptMdc outer;

    private AttemptMdc(String key, String value, AttemptMdc outer) {
        this.key = key;
        this.previous = MDC.get(key);
        this.outer = outer;
        MDC.put(key, value);
    }

    /** For the whole attempt. */
    static AttemptMdc open(String queue, Collection<String> destinations) {
        return new AttemptMdc(DESTINATION, destinations.stream().distinct().collect(Collectors.joining(", ")),
                new AttemptMdc(QUEUE, queue, null));
    }

    /** For one exchange inside the attempt. */
    static AttemptMdc destination(String destination) {
        return new AttemptMdc(DESTINATION, destination, null);
    }

    @Override
    public void close() {
        if (previous == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, previous);
        }
        if (outer != null) {
            outer.close();
        }
    }
}
