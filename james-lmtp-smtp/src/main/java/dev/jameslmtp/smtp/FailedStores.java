package dev.jameslmtp.smtp;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.jameslmtp.client.DestinationList;
import dev.jameslmtp.client.outcome.Verdict;

/**
 * Stores that failed a probe recently, each with the failure, for {@code temporaryExpireTime}:
 * meanwhile every recipient they serve is answered with that failure at once, without a probe
 * (a store that is down or hanging is not asked again by every RCPT of every client).
 *
 * <p>A failure of the store, as opposed to an answer about the address: any temporary verdict
 * except the store's own 4xx to the probe's RCPT (that one is about the address and is remembered
 * per address by {@link VerificationCache}). So: unreachable, timeout, the probe's total
 * exceeded, refused greeting/LHLO/MAIL, TLS or AUTH failure, 421, lost connection.
 * Thread-safe; one entry per destination of the configuration.
 */
final class FailedStores {

    private record Failure(Verdict verdict, Instant until) {
    }

    private final Clock clock;
    private final Duration memory;
    private final Map<DestinationList, Failure> failures = new ConcurrentHashMap<>();

    FailedStores(Clock clock, Duration memory) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.memory = Objects.requireNonNull(memory, "memory");
    }

    /** Remembers that {@code destination} failed with {@code verdict}, from now for the configured time. */
    void failed(DestinationList destination, Verdict verdict) {
        if (!memory.isZero()) {
            failures.put(destination, new Failure(verdict, clock.instant().plus(memory)));
        }
    }

    /** The failure of {@code destination} within the configured time, if any. */
    Optional<Verdict> recentFailure(DestinationList destination) {
        Failure failure = failures.get(destination);
        if (failure == null) {
            return Optional.empty();
        }
        if (clock.instant().isBefore(failure.until())) {
            return Optional.of(failure.verdict());
        }
        failures.remove(destination, failure);
        return Optional.empty();
    }
}
