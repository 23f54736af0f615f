package dev.jameslmtp.mailet.health;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

import org.apache.james.core.healthcheck.ResultStatus;

import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.DestinationList;

/**
 * One store as a health check saw it: a destination (one server, or a list tried in order) of an
 * LmtpDelivery ({@code owner}, e.g. {@code queue lmtp-outgoing}), and the servers of the list
 * that failed their check, each with the client's diagnostic (never a secret).
 *
 * <p>{@link #status()}: healthy when every server answered, degraded when some did not (the
 * mailet fails over to the others), unhealthy when none did (its mail waits on the queue).
 */
public record StoreStatus(String owner, DestinationList destination, Map<Destination, String> failures) {

    public StoreStatus {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(destination, "destination");
        failures = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(failures, "failures")));
        if (!destination.servers().containsAll(failures.keySet())) {
            throw new IllegalArgumentException("failures " + failures.keySet() + " outside destination " + destination);
        }
    }

    public ResultStatus status() {
        if (failures.isEmpty()) {
            return ResultStatus.HEALTHY;
        }
        return failures.size() == destination.servers().size() ? ResultStatus.UNHEALTHY : ResultStatus.DEGRADED;
    }

    /**
     * {@code inet:[127.0.0.1]:2424, inet:[127.0.0.1]:2425 degraded: inet:[127.0.0.1]:2425 failed: 4.4.1 connect to ...},
     * with the owner in parentheses after the destination when {@code withOwner}.
     */
    public String describe(boolean withOwner) {
        String failed = failures.entrySet().stream()
                .map(failure -> failure.getKey() + " failed: " + failure.getValue())
                .collect(Collectors.joining("; "));
        return destination + (withOwner ? " (" + owner + ")" : "") + " " + status().getValue() + (failed.isEmpty() ? "" : ": " + failed);
    }
}
