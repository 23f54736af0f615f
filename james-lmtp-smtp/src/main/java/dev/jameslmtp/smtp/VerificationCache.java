package dev.jameslmtp.smtp;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import dev.jameslmtp.client.outcome.Verdict;

/**
 * What the store said about each address, remembered for a while, as Postfix's verify(8) cache:
 * an acceptance for {@code positiveExpireTime}, a permanent refusal for
 * {@code negativeExpireTime}, the store's temporary (4xx) answer to the RCPT for
 * {@code temporaryExpireTime}. A failure of the store itself is not an answer about an address: it
 * is remembered by {@link FailedStores}. At most {@code maxSize} addresses are kept, the least
 * recently used forgotten first. Keys are {@link RecipientKey}s, so one mailbox has one entry.
 *
 * <p>Only memory: it never probes and never waits ({@link Probes} runs the probes). Thread-safe;
 * the clock is a parameter so tests can move time.
 */
final class VerificationCache {

    private record Remembered(Verdict verdict, Instant expires) {
    }

    private final Clock clock;
    private final Duration positiveExpireTime;
    private final Duration negativeExpireTime;
    private final Duration temporaryExpireTime;
    private final Map<RecipientKey, Remembered> remembered;

    VerificationCache(Clock clock, Duration positiveExpireTime, Duration negativeExpireTime, Duration temporaryExpireTime,
                      int maxSize) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.positiveExpireTime = Objects.requireNonNull(positiveExpireTime, "positiveExpireTime");
        this.negativeExpireTime = Objects.requireNonNull(negativeExpireTime, "negativeExpireTime");
        this.temporaryExpireTime = Objects.requireNonNull(temporaryExpireTime, "temporaryExpireTime");
        this.remembered = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<RecipientKey, Remembered> eldest) {
                return size() > maxSize;
            }
        };
    }

    /** The remembered answer for {@code address}, if it has not expired. */
    Optional<Verdict> lookUp(RecipientKey address) {
        synchronized (remembered) {
            Remembered entry = remembered.get(address);
            if (entry == null) {
                return Optional.empty();
            }
            if (clock.instant().isBefore(entry.expires())) {
                return Optional.of(entry.verdict());
            }
            remembered.remove(address);
            return Optional.empty();
        }
    }

    /** Remembers the store's answer about {@code address} for the lifetime of its kind (0: forgets it). */
    void remember(RecipientKey address, Verdict verdict) {
        Duration lifetime = switch (verdict.fate()) {
            case DELIVERED -> positiveExpireTime;
            case BOUNCED -> negativeExpireTime;
            case DEFERRED -> temporaryExpireTime;
        };
        synchronized (remembered) {
            if (lifetime.isZero()) {
                remembered.remove(address);
            } else {
                remembered.put(address, new Remembered(verdict, clock.instant().plus(lifetime)));
            }
        }
    }

    /** How many addresses are remembered, expired ones included until they are looked up or pushed out. */
    int size() {
        synchronized (remembered) {
            return remembered.size();
        }
    }
}
