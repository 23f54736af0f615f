package dev.jameslmtp.mailet.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import org.apache.james.filesystem.api.FileSystem;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.conf.ConfigurationError;
import dev.jameslmtp.conf.Parameter;
import dev.jameslmtp.mailet.attempt.DeliveryMetrics;

/**
 * The delivery journals of one LmtpDelivery in a local directory ({@code journalDirectory}): the
 * lines of every mail's journal in one shared log ({@link JournalLog}, segments
 * {@code journal-<n>.log}), each mail's read and written through a {@link LogMailJournal}; a mail
 * whose journal outlives two segments of the log, or that James left in an attempt when it died,
 * has its lines in a file of its own named by its journal id ({@code <id>.journal}, the format of
 * the previous version, which wrote one such file per mail and whose files are read the same way:
 * an upgrade loses no mark). Once the queue item is acknowledged, the mail's lines are dropped
 * (its file removed, its segment when no other mail needs it), and its id kept a while in
 * {@link SettledItems}, so that a second copy left on the queue by a kill sends nothing again.
 * Only this James reads it: on several James nodes sharing a queue, see {@link BlobJournal}.
 *
 * <p>Why one log and not a file per mail: a file per mail cost a creation, an fsync of the file
 * and one of the directory, and an unlink, per mail (about 530 µs of CPU and 2 to 3 ms of wall
 * time per mail with 3 recipients on the benchmark's disk, {@code JournalCost}); the log costs
 * one {@code write()} per line and one fdatasync per sync, shared by the mails that sync together
 * (group commit: about 265 µs of CPU per mail alone, 145 µs with 8 attempts syncing at once, 0.42
 * fsync per mail then), and keeps the same promise: a line written survives a kill -9, a line
 * synced (before the acknowledgement) a machine crash. Per-mail files recycled instead of created
 * would have kept one fsync per mail and the bookkeeping of free files; the log needs neither.
 *
 * <p>Journals name recipients, so on a POSIX file system the directory is created {@code 0700}
 * and each journal {@code 0600}, whatever the umask; an existing directory that group or others
 * may enter is left as it is, with a WARN at {@link #open}. Elsewhere (a file system without POSIX
 * permissions) both take the file system's defaults. The journal ids of mails in an attempt now are
 * held here, so that neither {@link JournalSweeper} nor the log's compaction moves or removes one of them.
 */
public final class FileJournal implements DeliveryJournal {

    public static final String SUFFIX = ".journal";
    static final Set<PosixFilePermission> DIRECTORY_PERMISSIONS = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE_PERMISSIONS = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
    private static final Logger LOGGER = LoggerFactory.getLogger(FileJournal.class);
    private static final Map<Path, FileJournal> OPEN = new HashMap<>();

    private final Path directory;
    private final SettledItems settled;
    private final Set<String> held = new HashSet<>();
    private JournalLog log;
    private int users;
    private volatile Consumer<String> beforeWrite = line -> { };

    private FileJournal(Path directory, SettledItems settled) {
        this.directory = directory;
        this.settled = settled;
    }

    /** Where a mailet consuming queue {@code q} keeps its journal when {@code journalDirectory} is not set: this, then {@code q}. */
    public static final String DEFAULT_ROOT = "file://var/lmtp-journal/";
    private static final String FILE_URL = "file://";

    /**
     * Opens the journal directory {@code value} ({@code journalDirectory}) of the mailet consuming
     * {@code outgoing}: a {@code file://} URL is resolved by James's FileSystem (relative to James's
     * working directory) when there is one, else relative to the process's working directory.
     *
     * @throws ConfigurationError naming {@code journalDirectory}, the value and the accepted form
     */
    public static FileJournal open(String value, Optional<FileSystem> fileSystem, String outgoing) {
        try {
            Path directory;
            if (!value.startsWith(FILE_URL)) {
                directory = Path.of(value);
            } else if (fileSystem.isPresent()) {
                directory = fileSystem.get().getFile(value).toPath();
            } else {
                directory = Path.of(value.substring(FILE_URL.length()));
            }
            return open(directory);
        } catch (IOException | RuntimeException e) {
            throw ConfigurationError.invalid(Parameter.JOURNAL_DIRECTORY.key(), value, "a directory James can create and write files in, e.g. "
                    + DEFAULT_ROOT + outgoing + " or /var/spool/james/lmtp-journal (" + e + ")");
        }
    }

    /**
     * Creates the directory if needed and checks that a file can be written there.
     *
     * @throws IOException when it cannot be created or written
     */
    public static FileJournal open(Path directory) throws IOException {
        return open(directory, JournalLog.SEGMENT_BYTES);
    }

    /**
     * {@link #open(Path)} with segments of the log of at most {@code segmentBytes} (tests). A
     * directory already open in this JVM (two mailets given one {@code journalDirectory}, or
     * consuming one queue) gives the journal open there, closed with its last user: two logs in one
     * directory would remove each other's segments at start-up.
     */
    static FileJournal open(Path directory, long segmentBytes) throws IOException {
        synchronized (OPEN) {
            Path key = directory.toAbsolutePath().normalize();
            FileJournal journal = OPEN.get(key);
            if (journal == null) {
                journal = create(directory, segmentBytes);
                OPEN.put(key, journal);
            }
            journal.users++;
            return journal;
        }
    }

    private static FileJournal create(Path directory, long segmentBytes) throws IOException {
        if (isPosix(directory)) {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(DIRECTORY_PERMISSIONS));
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(directory);
            if (permissions.stream().anyMatch(GROUP_OR_OTHERS::contains)) {
                LOGGER.warn("Delivery journal directory {} is {}: other local users may list it; make it its owner's only (chmod 700)",
                        directory, PosixFilePermissions.toString(permissions));
            }
        } else {
            Files.createDirectories(directory);
        }
        Path probe = Files.createTempFile(directory, ".probe-", ".tmp");
        Files.delete(probe);
        FileJournal journal = new FileJournal(directory, SettledItems.open(directory));
        journal.log = JournalLog.open(directory, segmentBytes, journal.settled::contains, journal::holds);
        return journal;
    }

    public Path directory() {
        return directory;
    }

    /**
     * Hourly, by {@link JournalSweeper}: moves the log to a new segment (compacting the old ones),
     * and forgets the ids settled before the last rotation.
     */
    void rotate() {
        try {
            log.rotate();
        } catch (IOException e) {
            LOGGER.warn("Could not rotate the delivery journal log in {}: {}", directory, e.toString());
        }
        settled.rotate();
    }

    /** The shared log (tests). */
    JournalLog log() {
        return log;
    }

    @Override
    public Optional<MailJournal> tryOpen(Mail mail) {
        Optional<String> id = DeliveryJournal.idOf(mail);
        if (id.isEmpty()) {
            LOGGER.debug("Mail {} carries no journal id (queued before the journal existed?): no delivery journal", mail.getName());
            return Optional.of(MailJournal.none(mail.getName()));
        }
        synchronized (held) {
            if (!held.add(id.get())) {
                return Optional.empty();
            }
        }
        return Optional.of(new LogMailJournal(mail.getName(), id.get(), directory.resolve(id.get() + SUFFIX), log, beforeWrite,
                settled.contains(id.get()), () -> settled.add(id.get()), () -> release(id.get())));
    }

    @Override
    public DeliveryJournal.Sweeper startSweeper(Duration maxAge, Clock clock, DeliveryMetrics metrics, String threadName) {
        JournalSweeper sweeper = new JournalSweeper(this, maxAge, clock, metrics);
        sweeper.start(threadName);
        return sweeper;
    }

    @Override
    public String describe() {
        return "files in " + directory;
    }

    /** Syncs and closes the log and stops writing settled ids, when the last user of the directory closes it. */
    @Override
    public void close() {
        synchronized (OPEN) {
            if (--users > 0) {
                return;
            }
            OPEN.remove(directory.toAbsolutePath().normalize(), this);
        }
        log.close();
        settled.close();
    }

    private boolean holds(String id) {
        synchronized (held) {
            return held.contains(id);
        }
    }

    private void release(String id) {
        synchronized (held) {
            held.remove(id);
        }
    }

    /**
     * Removes the journal {@code file} unless an attempt holds it now; checked and removed under
     * the lock that {@link #tryOpen} takes, so a mail taken off the queue meanwhile keeps its journal.
     *
     * @return whether it was removed
     */
    boolean removeUnlessHeld(Path file) throws IOException {
        String name = file.getFileName().toString();
        String id = name.endsWith(SUFFIX) ? name.substring(0, name.length() - SUFFIX.length()) : name;
        synchronized (held) {
            return !held.contains(id) && Files.deleteIfExists(file);
        }
    }

    /** Whether {@code path}'s file system has POSIX permissions (Linux, macOS: yes; Windows: no). */
    static boolean isPosix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    @Override
    public void beforeWrite(Consumer<String> hook) {
        this.beforeWrite = hook;
    }

    /** Creation attributes for a file readable and writable by its owner only, where the file system has POSIX permissions. */
    static FileAttribute<?>[] ownerOnly(Path file) {
        return isPosix(file)
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE_PERMISSIONS)}
                : new FileAttribute<?>[0];
    }

    /**
     * fsync on the directory, as Postfix does after creating a queue file. A file system that
     * cannot open a directory (Windows) is told at DEBUG: its own journal keeps the entry.
     */
    static void syncDirectory(Path directory) {
        try (FileChannel entries = FileChannel.open(directory, StandardOpenOption.READ)) {
            entries.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            LOGGER.debug("Could not sync the delivery journal directory {}: {}", directory, e.toString());
        }
    }
}
