package dev.jameslmtp.mailet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory of delivery journals of one LmtpDelivery ({@code journalDirectory}): one file per
 * queued mail that is in an attempt, or was when James died, named by the journal id the mail
 * carries (attribute {@value #ID}, new for every copy put on the queue: at {@code service}, and for
 * each put-back of deferred recipients). The file is removed once the queue item is acknowledged,
 * so the directory holds no journal while James is idle (only {@link JournalSweeper}'s heartbeat).
 * See {@link MailJournal}.
 *
 * <p>Journals name recipients, so on a POSIX file system the directory is created {@code 0700}
 * and each journal {@code 0600}, whatever the umask; an existing directory that group or others
 * may enter is left as it is, with a WARN at {@link #open}. Elsewhere (a file system without POSIX
 * permissions) both take the file system's defaults. The journals of mails in an attempt now are
 * held open here, so that {@link JournalSweeper} never removes one of them.
 */
final class DeliveryJournal {

    static final String ID = "lmtp-delivery-journal";
    private static final AttributeName ID_NAME = AttributeName.of(ID);
    private static final Pattern ID_SYNTAX = Pattern.compile("[A-Za-z0-9-]{1,64}");
    static final String SUFFIX = ".journal";
    static final Set<PosixFilePermission> DIRECTORY_PERMISSIONS = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE_PERMISSIONS = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
    private static final Logger LOGGER = LoggerFactory.getLogger(DeliveryJournal.class);

    private final Path directory;
    private final Set<Path> held = new HashSet<>();
    private volatile Consumer<String> beforeWrite = line -> { };

    private DeliveryJournal(Path directory) {
        this.directory = directory;
    }

    /**
     * Creates the directory if needed and checks that a file can be written there.
     *
     * @throws IOException when it cannot be created or written
     */
    static DeliveryJournal open(Path directory) throws IOException {
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
        return new DeliveryJournal(directory);
    }

    Path directory() {
        return directory;
    }

    /** Gives {@code copy} a journal id of its own: call it on every copy about to be enqueued. */
    static void newId(Mail copy) {
        copy.setAttribute(new Attribute(ID_NAME, AttributeValue.of(UUID.randomUUID().toString())));
    }

    /** The journal of a mail taken off the queue; one that keeps nothing when the mail has no (valid) journal id. */
    MailJournal of(Mail mail) {
        Optional<String> id = mail.getAttribute(ID_NAME).map(Attribute::getValue).map(AttributeValue::value)
                .filter(String.class::isInstance).map(String.class::cast);
        if (id.isEmpty() || !ID_SYNTAX.matcher(id.get()).matches()) {
            LOGGER.debug("Mail {} carries no journal id (queued before the journal existed?): no delivery journal", mail.getName());
            return MailJournal.none(mail.getName());
        }
        Path file = directory.resolve(id.get() + SUFFIX);
        synchronized (held) {
            held.add(file);
        }
        return new MailJournal(mail.getName(), Optional.of(file), beforeWrite, () -> release(file));
    }

    private void release(Path file) {
        synchronized (held) {
            held.remove(file);
        }
    }

    /**
     * Removes the journal {@code file} unless an attempt holds it now; checked and removed under
     * the lock that {@link #of} takes, so a mail taken off the queue meanwhile keeps its journal.
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

    /** Given each line before it is written, and {@link MailJournal#SYNC} before the sync: tests inject a crash there. */
    void beforeWrite(Consumer<String> hook) {
        this.beforeWrite = hook;
    }
}
