package dev.jameslmtp.mailet.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lines of every mail's journal in one {@link FileJournal} directory, in one append-only log:
 * each line is {@code <journal id> } followed by the mail's {@link JournalLines line}, appended
 * with one {@code write()} the moment it is known (which survives the JVM being killed), to the
 * current segment {@code journal-<n>.log}. The journal of a mail is its lines here, in order, after
 * those of its own file {@code <id>.journal} if it has one (the previous version's format, and
 * where this log moves a mail it keeps too long).
 *
 * <p><b>Group commit.</b> {@link #sync} makes a mail's lines survive a machine crash before its
 * queue item is acknowledged: the first caller forces (fdatasync) the segment at once, with
 * whatever every mail has appended by then; callers arriving while it does wait for it and, if
 * their lines came after its start, for the next force, which one of them makes for all of them.
 * So a mail alone pays one fdatasync and waits for nothing else, and mails finishing together
 * share one: at most two forces' wait, never a timer. The previous version paid per mail a file
 * creation, an fsync of the file, one of the directory and an unlink; this log pays one fdatasync
 * (its directory is synced only when a segment is created).
 *
 * <p><b>Segments and compaction.</b> A segment holds at most {@code segmentBytes}; then (and at
 * {@link #rotate}, hourly, from {@link JournalSweeper}) the log moves to a new one, forcing the old
 * one first. The log knows in memory the lines of each mail not yet settled ({@link #settle}) and
 * which segments hold them: a segment other than the current one that holds no such mail is
 * removed. A mail still unsettled two rotations after its lines were written (its queue item was
 * not acknowledged, an attempt that ended without it) and held by no attempt is moved to its own
 * file {@code <id>.journal} (written, forced, directory forced), where {@link JournalSweeper}
 * ages it as before, and its segment is then removed.
 *
 * <p><b>Start-up.</b> {@link #open} reads the segments left by the last run (a torn last line and
 * lines that are not as written here are ignored), drops the mails {@link SettledItems} knows as
 * settled, moves each other mail's lines to its own file as above, then removes the segments: a
 * mail handed out again after a kill -9 or a crash reads exactly the lines it had. Thread-safe.
 *
 * <p>Known limits: settling writes nothing here (the settled id goes to {@link SettledItems}, not
 * synced, as before), so after a machine crash a settled mail may come back as a journal file,
 * whose marks are true and which the sweeper removes after {@code journalMaxAge}. A failed
 * fdatasync is logged (WARN) and the acknowledgement goes on, as before.
 */
final class JournalLog implements AutoCloseable {

    static final long SEGMENT_BYTES = 16L << 20;
    private static final Pattern SEGMENT = Pattern.compile("journal-(\\d{1,18})\\.log");
    private static final Logger LOGGER = LoggerFactory.getLogger(JournalLog.class);

    /** A mail's lines not yet settled, and the segments holding them. */
    private static final class Live {
        final StringBuilder text = new StringBuilder();
        final Set<Long> segments = new HashSet<>(2);
    }

    private final Path directory;
    private final long segmentBytes;
    private final Predicate<String> held;
    private final Map<String, Live> live = new HashMap<>();
    private final TreeMap<Long, Set<String>> segments = new TreeMap<>();
    private long segment;
    private FileChannel channel;
    private long segmentSize;
    private long appended;
    private long synced;
    private boolean forcing;
    private int forces;
    private int waiting;
    private volatile Runnable beforeForce = () -> { };

    private JournalLog(Path directory, long segmentBytes, Predicate<String> held) {
        this.directory = directory;
        this.segmentBytes = segmentBytes;
        this.held = held;
    }

    /**
     * Reads the segments in {@code directory}, moves the lines of each mail not {@code settled} to
     * its own file, removes the segments and starts a new one; {@code held}: whether an attempt
     * holds a journal id now (such a mail is never moved).
     *
     * @throws IOException when a segment cannot be read or the new one cannot be created
     */
    static JournalLog open(Path directory, long segmentBytes, Predicate<String> settled, Predicate<String> held) throws IOException {
        JournalLog log = new JournalLog(directory, segmentBytes, held);
        TreeMap<Long, Path> found = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "journal-*.log")) {
            for (Path file : files) {
                Matcher name = SEGMENT.matcher(file.getFileName().toString());
                if (name.matches()) {
                    found.put(Long.parseLong(name.group(1)), file);
                }
            }
        }
        Map<String, StringBuilder> left = new LinkedHashMap<>();
        found.values().forEach(file -> rebuild(file, left, settled));
        for (Map.Entry<String, StringBuilder> mail : left.entrySet()) {
            log.moveToFile(mail.getKey(), mail.getValue().toString());
        }
        if (!left.isEmpty()) {
            FileJournal.syncDirectory(directory);
            LOGGER.info("Delivery journal {}: {} unsettled mail(s) found in the log after a restart, kept in their own files",
                    directory, left.size());
        }
        for (Path file : found.values()) {
            Files.deleteIfExists(file);
        }
        log.startSegment(found.isEmpty() ? 1 : found.lastKey() + 1);
        return log;
    }

    private static void rebuild(Path file, Map<String, StringBuilder> left, Predicate<String> settled) {
        String text;
        try {
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOGGER.warn("Could not read the delivery journal log {} ({}); the recipients it marks are sent again", file, e.toString());
            return;
        }
        int complete = text.lastIndexOf('\n') + 1;
        if (complete < text.length()) {
            LOGGER.warn("Delivery journal log {}: last line torn by a crash, ignored", file);
        }
        for (String line : text.substring(0, complete).split("\n")) {
            int space = line.indexOf(' ');
            if (space <= 0 || !JournalLines.isId(line.substring(0, space))) {
                if (!line.isEmpty()) {
                    LOGGER.warn("Delivery journal log {}: a line without a journal id, ignored", file);
                }
                continue;
            }
            String id = line.substring(0, space);
            if (!settled.test(id)) {
                left.computeIfAbsent(id, any -> new StringBuilder()).append(line, space + 1, line.length()).append('\n');
            }
        }
    }

    /**
     * Appends {@code line} (ending with its newline) to the journal of mail {@code id}, with one
     * {@code write()}.
     *
     * @return where the log ends after it: what {@link #sync} is given
     * @throws IOException when it could not be written (the line is then not in the journal)
     */
    synchronized long append(String id, String line) throws IOException {
        if (channel == null) {
            throw new IOException("delivery journal log closed");
        }
        if (segmentSize >= segmentBytes) {
            rotate();
        }
        ByteBuffer bytes = ByteBuffer.wrap((id + " " + line).getBytes(StandardCharsets.UTF_8));
        int length = bytes.remaining();
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
        segmentSize += length;
        appended += length;
        Live mail = live.computeIfAbsent(id, any -> new Live());
        mail.text.append(line);
        if (mail.segments.add(segment)) {
            segments.computeIfAbsent(segment, any -> new HashSet<>()).add(id);
        }
        return appended;
    }

    /**
     * The lines of mail {@code id} in the log. Its own file, if any, is read by the caller: an
     * attempt holds the mail, so the log never moves it meanwhile.
     */
    synchronized String text(String id) {
        Live mail = live.get(id);
        return mail == null ? "" : mail.text.toString();
    }

    /**
     * Returns once the log up to {@code end} (an {@link #append} result) survives a machine crash:
     * forces it, or waits for the force under way and then, if needed, makes or waits for the
     * next, which covers every line appended meanwhile.
     */
    void sync(long end) {
        FileChannel toForce;
        long target;
        synchronized (this) {
            while (true) {
                if (synced >= end || channel == null) {
                    return;
                }
                if (!forcing) {
                    break;
                }
                waiting++;
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    LOGGER.warn("Interrupted while waiting for the delivery journal {} to be synced", directory);
                    return;
                } finally {
                    waiting--;
                }
            }
            forcing = true;
            toForce = channel;
            target = appended;
        }
        try {
            beforeForce.run();
            toForce.force(false);
        } catch (IOException e) {
            LOGGER.warn("Could not sync the delivery journal log {}: {}", directory, e.toString());
        } finally {
            synchronized (this) {
                forces++;
                forcing = false;
                synced = Math.max(synced, target);
                notifyAll();
            }
        }
    }

    /**
     * Mail {@code id}'s queue item was acknowledged (or its journal swept): its lines are no
     * longer needed; a segment other than the current one left without an unsettled mail is removed.
     */
    synchronized void settle(String id) {
        Live mail = live.remove(id);
        if (mail == null) {
            return;
        }
        for (long number : mail.segments) {
            Set<String> ids = segments.get(number);
            ids.remove(id);
            if (ids.isEmpty() && number != segment) {
                segments.remove(number);
                delete(number);
            }
        }
    }

    /**
     * Moves to a new segment (the old one forced first), when the current one holds anything;
     * then moves the mails whose lines are in segments older than the previous one to their own
     * files, unless an attempt holds them, and removes the segments left without an unsettled mail.
     */
    synchronized void rotate() throws IOException {
        if (channel == null || segmentSize == 0) {
            return;
        }
        if (!awaitNoForce()) {
            throw new IOException("interrupted while rotating the delivery journal log");
        }
        channel.force(false);
        forces++;
        synced = appended;
        channel.close();
        long previous = segment;
        startSegment(segment + 1);
        boolean moved = false;
        for (Map.Entry<Long, Set<String>> old : new ArrayList<>(segments.headMap(previous, false).entrySet())) {
            for (String id : List.copyOf(old.getValue())) {
                if (held.test(id)) {
                    continue;
                }
                try {
                    moveToFile(id, live.get(id).text.toString());
                    settle(id);
                    moved = true;
                } catch (IOException e) {
                    LOGGER.warn("Could not move the journal of {} out of the delivery journal log in {} ({}); kept in the log",
                            id, directory, e.toString());
                }
            }
        }
        if (moved) {
            FileJournal.syncDirectory(directory);
        }
        for (long emptied : List.copyOf(segments.headMap(segment, false).keySet())) {
            if (segments.get(emptied).isEmpty()) {
                segments.remove(emptied);
                delete(emptied);
            }
        }
        if (segments.get(previous) == null) {
            delete(previous);
        }
    }

    /** Waits, this object's lock held, until no force of {@link #sync} runs; false when interrupted (the interrupt kept). */
    private boolean awaitNoForce() {
        while (forcing) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Appends {@code text} to mail {@code id}'s own file and forces it (the directory is the caller's). */
    private void moveToFile(String id, String text) throws IOException {
        Path file = directory.resolve(id + FileJournal.SUFFIX);
        try (FileChannel out = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND), FileJournal.ownerOnly(file))) {
            ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            out.force(false);
        }
    }

    private void startSegment(long number) throws IOException {
        segment = number;
        Path file = directory.resolve(name(number));
        channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.APPEND),
                FileJournal.ownerOnly(file));
        segmentSize = 0;
        FileJournal.syncDirectory(directory);
    }

    private void delete(long number) {
        try {
            Files.deleteIfExists(directory.resolve(name(number)));
        } catch (IOException e) {
            LOGGER.warn("Could not remove the delivery journal log {}: {}", directory.resolve(name(number)), e.toString());
        }
    }

    static String name(long number) {
        return String.format(Locale.ROOT, "journal-%016d.log", number);
    }

    /** The current segment's file. */
    synchronized Path segmentFile() {
        return directory.resolve(name(segment));
    }

    /** How many times the log was forced (fdatasync): the test seam for group commit. */
    synchronized int forces() {
        return forces;
    }

    /** How many {@link #sync} callers wait for a force under way: for tests. */
    synchronized int waiting() {
        return waiting;
    }

    /** Run by the forcing thread just before each group force: tests hold it there. */
    void beforeForce(Runnable hook) {
        this.beforeForce = hook;
    }

    /** Forces what was appended and closes the current segment; appends then fail. */
    @Override
    public synchronized void close() {
        if (channel == null) {
            return;
        }
        awaitNoForce(); // interrupted: closed all the same
        try {
            channel.force(false);
            channel.close();
        } catch (IOException e) {
            LOGGER.warn("Could not close the delivery journal log {}: {}", segmentFile(), e.toString());
        }
        channel = null;
        notifyAll();
    }
}
