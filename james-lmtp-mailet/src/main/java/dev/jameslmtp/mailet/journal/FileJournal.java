package dev.jameslmtp.mailet.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashSet;
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
 * The delivery journals of one LmtpDelivery in a local directory ({@code journalDirectory}): one
 * file per queued mail that is in an attempt, or was when James died, named by its journal id
 * ({@link FileMailJournal}). The file is removed once the queue item is acknowledged, and its id
 * kept a while in {@link SettledItems}, so that a second copy left on the queue by a kill sends
 * nothing again; the directory holds no journal while James is idle (only {@link JournalSweeper}'s
 * heartbeat and the settled ids). Only this James reads it: on several James nodes sharing a
 * queue, see {@link BlobJournal}.
 *
 * <p>Journals name recipients, so on a POSIX file system the directory is created {@code 0700}
 * and each journal {@code 0600}, whatever the umask; an existing directory that group or others
 * may enter is left as it is, with a WARN at {@link #open}. Elsewhere (a file system without POSIX
 * permissions) both take the file system's defaults. The journals of mails in an attempt now are
 * held open here, so that {@link JournalSweeper} never removes one of them.
 */
public final class FileJournal implements DeliveryJournal {

    public static final String SUFFIX = ".journal";
    static final Set<PosixFilePermission> DIRECTORY_PERMISSIONS = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE_PERMISSIONS = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
    private static final Logger LOGGER = LoggerFactory.getLogger(FileJournal.class);

    private final Path directory;
    private final SettledItems settled;
    private final Set<Path> held = new HashSet<>();
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
        return new FileJournal(directory, SettledItems.open(directory));
    }

    public Path directory() {
        return directory;
    }

    /** Forgets the ids settled before the last rotation (hourly, by {@link JournalSweeper}). */
    void rotateSettled() {
        settled.rotate();
    }

    @Override
    public Optional<MailJournal> tryOpen(Mail mail) {
        Optional<String> id = DeliveryJournal.idOf(mail);
        if (id.isEmpty()) {
            LOGGER.debug("Mail {} carries no journal id (queued before the journal existed?): no delivery journal", mail.getName());
            return Optional.of(MailJournal.none(mail.getName()));
        }
        Path file = directory.resolve(id.get() + SUFFIX);
        synchronized (held) {
            if (!held.add(file)) {
                return Optional.empty();
            }
        }
        return Optional.of(new FileMailJournal(mail.getName(), file, beforeWrite, settled.contains(id.get()),
                () -> settled.add(id.get()), () -> release(file)));
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

    /** Stops writing settled ids. */
    @Override
    public void close() {
        settled.close();
    }

    private void release(Path file) {
        synchronized (held) {
            held.remove(file);
        }
    }

    /**
     * Removes the journal {@code file} unless an attempt holds it now; checked and removed under
     * the lock that {@link #tryOpen} takes, so a mail taken off the queue meanwhile keeps its journal.
     *
     * @return whether it was removed
     */
    boolean removeUnlessHeld(Path file) throws IOException {
        synchronized (held) {
            return !held.contains(file) && Files.deleteIfExists(file);
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
}
