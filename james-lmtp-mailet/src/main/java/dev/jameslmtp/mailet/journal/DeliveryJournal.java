package dev.jameslmtp.mailet.journal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

import org.apache.james.filesystem.api.FileSystem;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.conf.ConfigurationError;
import dev.jameslmtp.conf.Parameter;

/**
 * The directory of delivery journals of one LmtpDelivery ({@code journalDirectory}): one file per
 * queued mail that is in an attempt, or was when James died, named by the journal id the mail
 * carries (attribute {@value #ID}). {@code service} derives the id from the mail ({@link #idFor}),
 * so that a mail James's spool hands out again after a kill gets the id it had; each put-back of
 * deferred recipients gets a new one ({@link #newId}), written in the journal before the enqueue. The file is removed once the queue item is
 * acknowledged, and its id kept a while in {@link SettledItems}, so that a second copy left on the
 * queue by a kill sends nothing again; the directory holds no journal while James is idle (only
 * {@link JournalSweeper}'s heartbeat and the settled ids). At most one attempt holds a journal
 * ({@link #tryOpen}). See {@link MailJournal}.
 *
 * <p>Journals name recipients, so on a POSIX file system the directory is created {@code 0700}
 * and each journal {@code 0600}, whatever the umask; an existing directory that group or others
 * may enter is left as it is, with a WARN at {@link #open}. Elsewhere (a file system without POSIX
 * permissions) both take the file system's defaults. The journals of mails in an attempt now are
 * held open here, so that {@link JournalSweeper} never removes one of them.
 */
public final class DeliveryJournal {

    public static final String ID = "lmtp-delivery-journal";
    private static final AttributeName ID_NAME = AttributeName.of(ID);
    private static final Pattern ID_SYNTAX = Pattern.compile("[A-Za-z0-9-]{1,64}");
    public static final String SUFFIX = ".journal";
    static final Set<PosixFilePermission> DIRECTORY_PERMISSIONS = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE_PERMISSIONS = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
    private static final Logger LOGGER = LoggerFactory.getLogger(DeliveryJournal.class);

    private final Path directory;
    private final SettledItems settled;
    private final Set<Path> held = new HashSet<>();
    private volatile Consumer<String> beforeWrite = line -> { };

    private DeliveryJournal(Path directory, SettledItems settled) {
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
    public static DeliveryJournal open(String value, Optional<FileSystem> fileSystem, String outgoing) {
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
    public static DeliveryJournal open(Path directory) throws IOException {
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
        return new DeliveryJournal(directory, SettledItems.open(directory));
    }

    public Path directory() {
        return directory;
    }

    /** A new journal id, for a put-back copy. */
    public static String newId() {
        return UUID.randomUUID().toString();
    }

    /** Gives {@code copy}, about to be enqueued, the journal id {@code id}. */
    public static void setId(Mail copy, String id) {
        copy.setAttribute(new Attribute(ID_NAME, AttributeValue.of(id)));
    }

    /**
     * Gives {@code mail}, about to be enqueued by {@code service} for {@code destination}, the
     * journal id derived from what James's spool hands out the same each time: its name (unique
     * in a James), recipients, {@code Message-ID}, the destination, and the journal id it already
     * carries (none, or the one it had when it left this mailet for the error processor, so that
     * a mail an operator sends back through the mailet is a new item). A mail the spool hands out
     * again after a kill thus gets the id it had, and the copy queued then is not sent twice.
     */
    public static void idFor(Mail mail, String destination) {
        StringBuilder seed = new StringBuilder("queued\n").append(mail.getName()).append('\n').append(destination).append('\n')
                .append(idOf(mail).orElse("")).append('\n').append(messageId(mail)).append('\n');
        mail.getRecipients().forEach(recipient -> seed.append(recipient.asString()).append('\n'));
        UUID id = UUID.nameUUIDFromBytes(seed.toString().getBytes(StandardCharsets.UTF_8));
        mail.setAttribute(new Attribute(ID_NAME, AttributeValue.of(id.toString())));
    }

    private static String messageId(Mail mail) {
        try {
            return Optional.ofNullable(mail.getMessage()).map(message -> {
                try {
                    return message.getHeader("Message-ID", ",");
                } catch (javax.mail.MessagingException e) {
                    return null;
                }
            }).orElse("");
        } catch (javax.mail.MessagingException e) {
            return "";
        }
    }

    /** Whether {@code text} is a journal id as this class writes and accepts them. */
    static boolean isId(String text) {
        return ID_SYNTAX.matcher(text).matches();
    }

    private static Optional<String> idOf(Mail mail) {
        return mail.getAttribute(ID_NAME).map(Attribute::getValue).map(AttributeValue::value)
                .filter(String.class::isInstance).map(String.class::cast).filter(DeliveryJournal::isId);
    }

    /** Whether a queue item with the journal id of {@code mail} was acknowledged as done lately: this one is a copy left by a kill. */
    public boolean settled(Mail mail) {
        return idOf(mail).map(settled::contains).orElse(false);
    }

    /** Remembers that the queue item of {@code mail} was acknowledged as done (its journal is removed apart). */
    public void settle(Mail mail) {
        idOf(mail).ifPresent(settled::add);
    }

    /** Forgets the ids settled before the last rotation (hourly, by {@link JournalSweeper}). */
    void rotateSettled() {
        settled.rotate();
    }

    /**
     * The journal of a mail taken off the queue, held for this attempt until it is closed; empty
     * when another attempt holds it now (a second copy of the mail, left on the queue by a kill).
     * One that keeps nothing when the mail has no (valid) journal id.
     */
    public Optional<MailJournal> tryOpen(Mail mail) {
        Optional<String> id = idOf(mail);
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
        return Optional.of(new MailJournal(mail.getName(), Optional.of(file), beforeWrite, () -> release(file)));
    }

    /** {@link #tryOpen}, for a mail no other attempt can hold (tests). */
    public MailJournal of(Mail mail) {
        return tryOpen(mail).orElseThrow(() -> new IllegalStateException("journal of mail " + mail.getName() + " held by another attempt"));
    }

    /** Stops writing settled ids. */
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
    public void beforeWrite(Consumer<String> hook) {
        this.beforeWrite = hook;
    }
}
