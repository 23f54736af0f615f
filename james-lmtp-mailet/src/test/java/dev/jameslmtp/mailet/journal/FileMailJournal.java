package dev.jameslmtp.mailet.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import org.apache.james.core.MailAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * For tests of the line format: a mail's journal in a file of its own, {@code <id>.journal}, read
 * and written on its own, as the previous version kept every mail's (the format {@link JournalLog}
 * still moves a mail to when it keeps it too long, and {@link LogMailJournal} reads first). The
 * mailet itself keeps its lines in the log. Each line appended with a
 * single {@code write()} the moment it is known. A line that reached the kernel survives the JVM
 * being killed; {@link #sync} (fsync, once per attempt, before the queue item is acknowledged)
 * makes the lines survive a machine crash too, and so does the directory entry of a file created
 * in the attempt (the directory is synced after the file). A new file is created {@code 0600} on a
 * POSIX file system. {@link #settle} removes the file (its id is then kept in {@link SettledItems}).
 */
public final class FileMailJournal extends MailJournal {

    private static final Logger LOGGER = LoggerFactory.getLogger(MailJournal.class);

    private final Path file;
    private final boolean settled;
    private final Runnable onSettle;
    private FileChannel channel;
    private boolean created;
    private int directorySyncs;

    /** The journal in {@code file}, read and written on its own (tests). */
    public FileMailJournal(String mailName, Path file, Consumer<String> beforeWrite) {
        this(mailName, file, beforeWrite, false, () -> { }, () -> { });
    }

    /**
     * {@code settled}: the mail's id is among the settled ones; {@code onSettle} remembers it
     * settled; {@code onClose}: the directory no longer holds this journal for an attempt.
     */
    FileMailJournal(String mailName, Path file, Consumer<String> beforeWrite, boolean settled, Runnable onSettle, Runnable onClose) {
        super(mailName, beforeWrite, onClose);
        this.file = file;
        this.settled = settled;
        this.onSettle = onSettle;
    }

    @Override
    public Reading read(List<MailAddress> recipients) {
        String text = "";
        if (Files.exists(file)) {
            try {
                text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            } catch (IOException e) {
                LOGGER.warn("Could not read the delivery journal {} of mail {} ({}); every recipient is sent again", file, mailName,
                        e.toString());
            }
        }
        return JournalLines.parse(text, recipients, settled, file.toString(), mailName);
    }

    @Override
    boolean keeps() {
        return true;
    }

    @Override
    void append(String text, boolean bounce, MailAddress recipient) {
        byte[] line = text.getBytes(StandardCharsets.UTF_8);
        try {
            if (channel == null) {
                channel = open(file);
            }
            ByteBuffer buffer = ByteBuffer.wrap(line);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } catch (IOException e) {
            LOGGER.warn("Could not write to the delivery journal {} of mail {} ({}): {}", file, mailName, e.toString(), lost(recipient, bounce));
        }
    }

    /** Opens the journal to append to it, creating it readable and writable by its owner only. */
    private FileChannel open(Path path) throws IOException {
        FileAttribute<?>[] ownerOnly = FileJournal.isPosix(path)
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FileJournal.FILE_PERMISSIONS)}
                : new FileAttribute<?>[0];
        try {
            FileChannel fresh = FileChannel.open(path, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND), ownerOnly);
            created = true;
            return fresh;
        } catch (FileAlreadyExistsException e) {
            return FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        }
    }

    /**
     * Forces the lines written so far to the disk; then, when the file was created in this
     * attempt, its directory (the entry naming the file).
     */
    @Override
    void force() {
        if (channel != null) {
            try {
                channel.force(false);
            } catch (IOException e) {
                LOGGER.warn("Could not sync the delivery journal {} of mail {}: {}", file, mailName, e.toString());
            }
            if (created) {
                syncDirectory();
            }
        }
    }

    /**
     * fsync on the directory, as Postfix does after creating a queue file. A file system that
     * cannot open a directory (Windows) is told at DEBUG: its own journal keeps the entry.
     */
    private void syncDirectory() {
        Path directory = file.toAbsolutePath().getParent();
        try (FileChannel entries = FileChannel.open(directory, StandardOpenOption.READ)) {
            entries.force(true);
            created = false;
            directorySyncs++;
        } catch (IOException | UnsupportedOperationException e) {
            LOGGER.debug("Could not sync the delivery journal directory {}: {}", directory, e.toString());
        }
    }

    /** How many times {@link #sync} synced the directory: for tests. */
    public int directorySyncs() {
        return directorySyncs;
    }

    /** Remembers the id settled, then removes the file. */
    @Override
    public void settle() {
        onSettle.run();
        close();
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOGGER.warn("Could not remove the delivery journal {} of mail {}: {}", file, mailName, e.toString());
        }
    }

    @Override
    void release() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOGGER.debug("closing journal {}: {}", file, e.toString());
            }
            channel = null;
        }
    }
}
