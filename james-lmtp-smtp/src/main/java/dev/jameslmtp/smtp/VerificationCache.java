package dev.jameslmtp.smtp;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import dev.jameslmtp.client.Verdict;

/**
 * What the store said about each address, remembered for a while, as Postfix's verify(8) cache:
 * an acceptance for {@code positiveExpireTime}, a permanent refusal for
 * {@code negativeExpireTime}; a temporary failure is never remembered (the next RCPT probes
 * again). At most {@code maxSize} addresses are kept, the least recently used forgotten first.
 *
 * <p>Probes are coalesced: while one probe for an address runs, every other caller asking for
 * that address waits for its answer instead of opening a session of its own. The wait is bounded
 * by the probe's own timeouts. Thread-safe; the clock is a parameter so tests can move time.
 */
final class VerificationCache {

    private record Remembered(Verdict verdict, Instant expires) {
    }

    private final Clock clock;
    private final Duration positiveExpireTime;
    private final Duration negativeExpireTime;
    private final Map<String, Remembered> remembered;
    private final Map<String, CompletableFuture<Verdict>> inFlight = new ConcurrentHashMap<>();
    private final AtomicInteger waiting = new AtomicInteger();

    VerificationCache(Clock clock, Duration positiveExpireTime, Duration negativeExpireTime, int maxSize) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.positiveExpireTime = Objects.requireNonNull(positiveExpireTime, "positiveExpireTime");
        this.negativeExpireTime = Objects.requireNonNull(negativeExpireTime, "negativeExpireTime");
        this.remembered = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Remembered> eldest) {
                return size() > maxSize;
            }
        };
    }

    /**
     * The remembered answer for {@code address} if it has not expired; else the answer of the
     * probe already running for it; else runs {@code probe} and remembers its answer.
     */
    Verdict verify(String address, Supplier<Verdict> probe) {
        Verdict known = lookUp(address);
        if (known != null) {
            return known;
        }
        CompletableFuture<Verdict> mine = new CompletableFuture<>();
        CompletableFuture<Verdict> running = inFlight.putIfAbsent(address, mine);
        if (running != null) {
            waiting.incrementAndGet();
            try {
                return join(running);
            } finally {
                waiting.decrementAndGet();
            }
        }
        try {
            Verdict verdict = probe.get();
            remember(address, verdict);
            mine.complete(verdict);
            return verdict;
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(address, mine);
        }
    }

    /** How many addresses are remembered, expired ones included until they are looked up or pushed out. */
    int size() {
        synchronized (remembered) {
            return remembered.size();
        }
    }

    /** How many callers are waiting for a probe that another caller runs. */
    int waiting() {
        return waiting.get();
    }

    private Verdict lookUp(String address) {
        synchronized (remembered) {
            Remembered entry = remembered.get(address);
            if (entry == null) {
                return null;
            }
            if (clock.instant().isBefore(entry.expires())) {
                return entry.verdict();
            }
            remembered.remove(address);
            return null;
        }
    }

    private void remember(String address, Verdict verdict) {
        Duration lifetime = switch (verdict.disposition()) {
            case DELIVERED -> positiveExpireTime;
            case PERMANENT_FAILURE -> negativeExpireTime;
            case TEMPORARY_FAILURE -> Duration.ZERO;
        };
        synchronized (remembered) {
            if (lifetime.isZero()) {
                remembered.remove(address);
            } else {
                remembered.put(address, new Remembered(verdict, clock.instant().plus(lifetime)));
            }
        }
    }

    private static Verdict join(CompletableFuture<Verdict> running) {
        try {
            return running.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }
}
