package dev.jameslmtp.mailet.journal;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.conf.ConfigurationError;
import dev.jameslmtp.conf.DelaySchedule;
import dev.jameslmtp.conf.DurationSyntax;
import dev.jameslmtp.conf.Parameter;
import dev.jameslmtp.conf.ParameterValues;
import dev.jameslmtp.mailet.attempt.DeliveryMetrics;

/**
 * Removes the delivery journals that no mail can need any more: those left behind by a mail that
 * left the queue without its attempt ending (a memory queue across a restart, an operator clearing
 * the queue, an acknowledgement reported failed but taken). A journal is removed when it has not
 * been written for more than {@code journalMaxAge} of James's running time and no attempt holds it
 * ({@link FileJournal#removeUnlessHeld}); each removal is counted by the metric
 * {@value DeliveryMetrics#JOURNAL_SWEPT} and logged.
 *
 * <p>Running time, not calendar time: a persistent queue hands an unacknowledged mail out again
 * after a restart however long James was stopped, and its journal must still be there then. So
 * every sweep touches a heartbeat file ({@value #HEARTBEAT}) in the directory, and {@link #start}
 * first moves each journal's modification time forward by the time James was stopped (from the
 * heartbeat to now; without a heartbeat, to now).
 *
 * <p>The first sweep runs at {@link #start}, then one every {@link #PERIOD} on one daemon thread
 * that {@link #close} stops; each periodic sweep also rotates the {@link SettledItems settled ids}
 * (so they too are kept for a time of James's running time, one to two periods) and the
 * {@link JournalLog log} (so a mail left unsettled in it reaches a file of its own, which this
 * sweeper ages, within two periods; its age counts from then). A sweep looks at no more than {@value #MAX_ENTRIES} journals. Should
 * the downtime not be accounted for (the directory cannot be read), nothing is swept until the
 * next start.
 */
public final class JournalSweeper implements DeliveryJournal.Sweeper {

    public static final String HEARTBEAT = ".alive";
    static final Duration PERIOD = Duration.ofHours(1);
    static final int MAX_ENTRIES = 100_000;
    /** The shortest {@code journalMaxAge} accepted: far longer than any LMTP stage waits for a reply. */
    static final Duration SHORTEST_MAX_AGE = Duration.ofHours(1);
    /** The default is twice the sum of the retry delays, and at least this. */
    static final Duration SHORTEST_DEFAULT_MAX_AGE = Duration.ofDays(1);
    private static final Logger LOGGER = LoggerFactory.getLogger(JournalSweeper.class);

    private final FileJournal journal;
    private final Duration maxAge;
    private final Clock clock;
    private final DeliveryMetrics metrics;
    private ScheduledExecutorService timer;

    public JournalSweeper(FileJournal journal, Duration maxAge, Clock clock, DeliveryMetrics metrics) {
        this.journal = journal;
        this.maxAge = maxAge;
        this.clock = clock;
        this.metrics = metrics;
    }

    /**
     * {@code journalMaxAge}: as configured (a duration of at least {@link #SHORTEST_MAX_AGE}), else
     * twice the sum of the retry delays of {@code schedule}, and at least {@link #SHORTEST_DEFAULT_MAX_AGE}.
     *
     * @throws ConfigurationError naming {@code journalMaxAge}, the value and the accepted form
     */
    public static Duration maxAge(Optional<String> configured, DelaySchedule schedule) {
        if (configured.isEmpty()) {
            Duration lifetime = schedule.delays().stream().reduce(Duration.ZERO, Duration::plus);
            return max(lifetime.multipliedBy(2), SHORTEST_DEFAULT_MAX_AGE);
        }
        String key = Parameter.JOURNAL_MAX_AGE.key();
        Duration age = new ParameterValues(Map.of(key, configured.get())).duration(Parameter.JOURNAL_MAX_AGE, Optional.empty());
        if (age.compareTo(SHORTEST_MAX_AGE) < 0) {
            throw ConfigurationError.invalid(key, configured.get(), "a duration of at least " + DurationSyntax.format(SHORTEST_MAX_AGE)
                    + ": " + DurationSyntax.expected(ChronoUnit.SECONDS));
        }
        return age;
    }

    /** Accounts for the time James was stopped, sweeps once, and schedules a sweep every {@link #PERIOD}. */
    public void start(String threadName) {
        try {
            discountDowntime();
        } catch (IOException | DirectoryIteratorException e) {
            LOGGER.warn("Could not read the delivery journal directory {} ({}): no journal is swept until the next start",
                    journal.directory(), e.toString());
            return;
        }
        sweep();
        timer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, threadName);
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(() -> {
            sweep();
            journal.rotate();
        }, PERIOD.toMillis(), PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Moves each journal's modification time forward by the time since the last heartbeat (capped
     * at now), so that its age counts only the time James ran.
     */
    void discountDowntime() throws IOException {
        Instant now = clock.instant();
        Path heartbeat = journal.directory().resolve(HEARTBEAT);
        Optional<Duration> downtime = Files.exists(heartbeat)
                ? Optional.of(Duration.between(Files.getLastModifiedTime(heartbeat).toInstant(), now)).filter(d -> !d.isNegative())
                : Optional.empty();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(journal.directory(), "*" + FileJournal.SUFFIX)) {
            for (Path file : files) {
                try {
                    Instant written = Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS).toInstant();
                    Instant counted = downtime.map(written::plus).filter(now::isAfter).orElse(now);
                    if (counted.isAfter(written)) {
                        Files.setLastModifiedTime(file, FileTime.from(counted));
                    }
                } catch (NoSuchFileException gone) {
                    // removed meanwhile
                }
            }
        }
        beat(now);
    }

    /** One sweep: touches the heartbeat, then removes the journals older than {@code journalMaxAge} that nobody holds. */
    public int sweep() {
        Instant now = clock.instant();
        int removed = 0;
        int seen = 0;
        try {
            beat(now);
            try (DirectoryStream<Path> files = Files.newDirectoryStream(journal.directory(), "*" + FileJournal.SUFFIX)) {
                for (Path file : files) {
                    if (++seen > MAX_ENTRIES) {
                        break;
                    }
                    if (expired(file, now) && journal.removeUnlessHeld(file)) {
                        removed++;
                        LOGGER.debug("Removed the delivery journal {}: not written for more than {}", file, DurationSyntax.format(maxAge));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            LOGGER.warn("Could not sweep the delivery journal directory {}: {}", journal.directory(), e.toString());
        }
        if (removed > 0) {
            metrics.journalSwept(removed);
            LOGGER.info("Removed {} delivery journal(s) from {} not written for more than {} of James's running time:"
                    + " their mails were no longer on the queue", removed, journal.directory(), DurationSyntax.format(maxAge));
        }
        return removed;
    }

    private boolean expired(Path file, Instant now) throws IOException {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return attributes.isRegularFile() && Duration.between(attributes.lastModifiedTime().toInstant(), now).compareTo(maxAge) > 0;
        } catch (NoSuchFileException gone) {
            return false;
        }
    }

    private void beat(Instant now) throws IOException {
        Path heartbeat = journal.directory().resolve(HEARTBEAT);
        if (!Files.exists(heartbeat, LinkOption.NOFOLLOW_LINKS)) {
            if (FileJournal.isPosix(heartbeat)) {
                Files.createFile(heartbeat, PosixFilePermissions.asFileAttribute(FileJournal.FILE_PERMISSIONS));
            } else {
                Files.createFile(heartbeat);
            }
        }
        Files.setLastModifiedTime(heartbeat, FileTime.from(now));
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }
}
