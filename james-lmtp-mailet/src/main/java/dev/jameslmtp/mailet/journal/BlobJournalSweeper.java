package dev.jameslmtp.mailet.journal;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.conf.DurationSyntax;
import dev.jameslmtp.mailet.attempt.DeliveryMetrics;

import reactor.core.publisher.Mono;

/**
 * Removes from the {@link BlobJournal} what no mail can need any more, for every James node at
 * once: a journal not written for {@code journalMaxAge} of running time (its mail left the queue
 * without it: counted by {@value DeliveryMetrics#JOURNAL_SWEPT} and logged, as
 * {@link JournalSweeper} does for files), and a settled record after {@link #SETTLED_KEEP} (then
 * one to two hours, as {@link SettledItems} keeps ids). A blob's age is counted from the time
 * written in it ({@link JournalBlob}); one that an attempt of this James holds is kept.
 *
 * <p>Every node beats every {@link #BEAT} in the blob {@code heartbeat.<queue>}, which holds the
 * last beat, the last sweep and the time the queue's nodes last resumed. One node sweeps when the
 * last sweep is {@link JournalSweeper#PERIOD} old (two nodes that beat at the same moment may both
 * sweep: harmless). Running time, not calendar time: when no node beat for {@link #DOWN_AFTER}
 * (every node was stopped; the first start), the nodes <em>resumed</em> now, and every blob's age
 * counts from then at the earliest, so that the mail a persistent queue hands out after a long stop
 * finds its journal. Time before such a stop is not counted at all: a journal can live longer than
 * {@code journalMaxAge}, never shorter.
 *
 * <p>A sweep reads each blob of the queue (up to {@value #MAX_ENTRIES}, {@value #CONCURRENCY} at a
 * time, within {@link #SWEEP_LIMIT}) and removes the old ones: with settled records kept an hour
 * or two, about one or two reads and one delete per mail delivered. Known limits: a blob rewritten
 * by another node between the sweep's read and its delete is removed all the same (only a journal
 * untouched for {@code journalMaxAge}, or a settled record, can be there: its recipients would be
 * sent again, never lost); a blob not understood is kept and counted in a WARN.
 */
final class BlobJournalSweeper implements DeliveryJournal.Sweeper {

    static final Duration BEAT = Duration.ofMinutes(5);
    static final Duration DOWN_AFTER = Duration.ofMinutes(15);
    static final Duration SETTLED_KEEP = Duration.ofHours(1);
    static final int MAX_ENTRIES = 1_000_000;
    static final int CONCURRENCY = 8;
    static final Duration SWEEP_LIMIT = Duration.ofMinutes(30);
    private static final Logger LOGGER = LoggerFactory.getLogger(BlobJournalSweeper.class);

    private enum Seen { JOURNAL_REMOVED, SETTLED_REMOVED, KEPT, NOT_UNDERSTOOD, FAILED }

    /** The heartbeat blob: {@code heartbeat <beat> <swept> <resumed>}, epoch milliseconds. */
    record Heartbeat(Instant beat, Instant swept, Instant resumed) {

        byte[] bytes() {
            return ("heartbeat " + beat.toEpochMilli() + " " + swept.toEpochMilli() + " " + resumed.toEpochMilli() + "\n")
                    .getBytes(StandardCharsets.US_ASCII);
        }

        static Optional<Heartbeat> parse(byte[] bytes) {
            String[] fields = new String(bytes, StandardCharsets.US_ASCII).strip().split(" ", -1);
            if (fields.length != 4 || !fields[0].equals("heartbeat")) {
                return Optional.empty();
            }
            try {
                return Optional.of(new Heartbeat(Instant.ofEpochMilli(Long.parseLong(fields[1])), Instant.ofEpochMilli(Long.parseLong(fields[2])),
                        Instant.ofEpochMilli(Long.parseLong(fields[3]))));
            } catch (NumberFormatException | java.time.DateTimeException e) {
                return Optional.empty();
            }
        }
    }

    private final BlobJournal journal;
    private final Duration maxAge;
    private final Clock clock;
    private final DeliveryMetrics metrics;
    private ScheduledExecutorService timer;

    BlobJournalSweeper(BlobJournal journal, Duration maxAge, Clock clock, DeliveryMetrics metrics) {
        this.journal = journal;
        this.maxAge = maxAge;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** Beats (and sweeps when due) at once, then every {@link #BEAT}, on one daemon thread that {@link #close} stops. */
    void start(String threadName) {
        timer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, threadName);
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                beat();
            } catch (RuntimeException e) {
                LOGGER.warn("Delivery journal sweep of {} failed: {}", journal.describe(), e.toString());
            }
        }, 0, BEAT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * One beat: reads the heartbeat, writes it again with this beat (and, when a sweep is due, the
     * sweep's time), then sweeps if it was due. Nothing is swept when the heartbeat cannot be read or
     * written (logged).
     *
     * @return the journals removed (not counting settled records)
     */
    int beat() {
        Instant now = clock.instant();
        Optional<Heartbeat> last;
        try {
            last = journal.read(journal.heartbeatName()).flatMap(Heartbeat::parse);
        } catch (RuntimeException e) {
            LOGGER.warn("Could not read the heartbeat of {} ({}): nothing swept now", journal.describe(), e.toString());
            return 0;
        }
        boolean running = last.isPresent() && Duration.between(last.get().beat(), now).compareTo(DOWN_AFTER) <= 0;
        Instant resumed = running ? last.get().resumed() : now;
        if (!running && last.isPresent()) {
            LOGGER.info("No James node beat in {} since {}: the ages of its journals count from now", journal.describe(),
                    last.get().beat());
        }
        boolean due = last.isEmpty() || Duration.between(last.get().swept(), now).compareTo(JournalSweeper.PERIOD) >= 0;
        try {
            journal.save(journal.heartbeatName(), new Heartbeat(now, due ? now : last.get().swept(), resumed).bytes());
        } catch (RuntimeException e) {
            LOGGER.warn("Could not write the heartbeat of {} ({}): nothing swept now", journal.describe(), e.toString());
            return 0;
        }
        return due ? sweep(now, resumed) : 0;
    }

    /** Removes the blobs of this queue older than their limit, their age counted from {@code resumed} at the earliest. */
    int sweep(Instant now, Instant resumed) {
        AtomicIntegerArray seen = new AtomicIntegerArray(Seen.values().length);
        try {
            journal.names()
                    .map(journal::journalId)
                    .filter(Optional::isPresent)
                    .map(Optional::get)
                    .take(MAX_ENTRIES)
                    .flatMap(id -> examine(id, now, resumed), CONCURRENCY)
                    .doOnNext(outcome -> seen.incrementAndGet(outcome.ordinal()))
                    .then()
                    .block(SWEEP_LIMIT);
        } catch (RuntimeException e) {
            LOGGER.warn("Could not sweep the delivery journals of {}: {}", journal.describe(), e.toString());
        }
        int removed = seen.get(Seen.JOURNAL_REMOVED.ordinal());
        if (removed > 0) {
            metrics.journalSwept(removed);
            LOGGER.info("Removed {} delivery journal(s) from {} not written for more than {} of running time: their mails were no"
                    + " longer on the queue", removed, journal.describe(), DurationSyntax.format(maxAge));
        }
        LOGGER.debug("Swept {}: {} settled record(s) removed, {} blob(s) kept", journal.describe(), seen.get(Seen.SETTLED_REMOVED.ordinal()),
                seen.get(Seen.KEPT.ordinal()));
        if (seen.get(Seen.NOT_UNDERSTOOD.ordinal()) > 0 || seen.get(Seen.FAILED.ordinal()) > 0) {
            LOGGER.warn("Sweeping {}: {} blob(s) not what LmtpDelivery writes (kept), {} the store failed to read or remove",
                    journal.describe(), seen.get(Seen.NOT_UNDERSTOOD.ordinal()), seen.get(Seen.FAILED.ordinal()));
        }
        return removed;
    }

    private Mono<Seen> examine(String id, Instant now, Instant resumed) {
        String name = journal.blobName(id);
        return journal.readLater(name).flatMap(bytes -> {
            if (bytes.isEmpty()) {
                return Mono.just(Seen.KEPT); // removed meanwhile
            }
            Optional<JournalBlob> blob = JournalBlob.parse(bytes.get());
            if (blob.isEmpty()) {
                return Mono.just(Seen.NOT_UNDERSTOOD);
            }
            Instant from = blob.get().written().isAfter(resumed) ? blob.get().written() : resumed;
            Duration limit = blob.get().settled() ? SETTLED_KEEP : maxAge;
            if (Duration.between(from, now).compareTo(limit) <= 0 || !journal.claim(id)) {
                return Mono.just(Seen.KEPT);
            }
            Seen removed = blob.get().settled() ? Seen.SETTLED_REMOVED : Seen.JOURNAL_REMOVED;
            if (removed == Seen.JOURNAL_REMOVED) {
                LOGGER.debug("Removing the delivery journal {}: not written for more than {}", name, DurationSyntax.format(maxAge));
            }
            return journal.deleteLater(name).thenReturn(removed).doFinally(signal -> journal.release(id));
        }).onErrorResume(e -> {
            LOGGER.debug("Sweeping the delivery journal {}: {}", name, e.toString());
            return Mono.just(Seen.FAILED);
        });
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }
}
