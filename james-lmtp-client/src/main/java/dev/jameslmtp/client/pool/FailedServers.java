package dev.jameslmtp.client.pool;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import dev.jameslmtp.client.Destination;

/**
 * Servers of a destination list that failed recently (connection refused or lost, 421, a
 * negative greeting), skipped for {@code skipTime} while another server of the list is not, as
 * Postfix skips a dead host for a while. When every server of a list failed recently, all are
 * tried anyway, in order: failing without trying would only delay the mail. Thread-safe.
 */
public final class FailedServers {

    /** The default skip time, shorter than Postfix's dead-host memory: the servers are local. */
    public static final Duration DEFAULT_SKIP_TIME = Duration.ofSeconds(60);

    private final Duration skipTime;
    private final LongSupplier nanoTime;
    private final Map<Destination, Long> failedAt = new ConcurrentHashMap<>();

    public FailedServers(Duration skipTime, LongSupplier nanoTime) {
        this.skipTime = Objects.requireNonNull(skipTime, "skipTime");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        if (skipTime.isNegative()) {
            throw new IllegalArgumentException("skipTime < 0: " + skipTime);
        }
    }

    public static FailedServers withDefaultSkipTime() {
        return new FailedServers(DEFAULT_SKIP_TIME, System::nanoTime);
    }

    /** The servers to try, in list order: those that did not fail recently, or all of them if none is left. */
    List<Destination> toTry(List<Destination> servers) {
        long now = nanoTime.getAsLong();
        List<Destination> healthy = servers.stream().filter(server -> !skipped(server, now)).toList();
        return healthy.isEmpty() ? servers : healthy;
    }

    void failed(Destination server) {
        failedAt.put(server, nanoTime.getAsLong());
    }

    void worked(Destination server) {
        failedAt.remove(server);
    }

    /** True while {@code server} is being skipped. */
    public boolean isSkipped(Destination server) {
        return skipped(server, nanoTime.getAsLong());
    }

    private boolean skipped(Destination server, long now) {
        Long at = failedAt.get(server);
        return at != null && now - at < skipTime.toNanos();
    }
}
