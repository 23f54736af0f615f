package dev.jameslmtp.mailet;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import org.apache.james.core.MailAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.wire.Transcript;

/**
 * The journal of one queued mail: one line per recipient whose fate in the current attempt
 * is known, {@code <position> <mark> <address>}, appended with a single {@code write()} the moment
 * it is known (Postfix marks each recipient done in its queue file the same way). A line that
 * reached the kernel survives the JVM being killed; {@link #sync} (fsync, once per attempt, before
 * the queue item is acknowledged) makes the lines survive a machine crash too, and so does the
 * directory entry of a file created in the attempt (the directory is synced after the file).
 * Losing a line can only make a recipient be sent (or bounced) again, never lost. A new file is
 * created {@code 0600} on a POSIX file system ({@link DeliveryJournal}).
 *
 * <p>Reading is fail-safe: a last line without its newline (torn by a crash) is ignored, and so is
 * a line that is not exactly as written here (the position in plain decimal digits, a known mark)
 * or whose address is not the mail's recipient at that position:
 * such a recipient has no mark and is sent again. Not thread-safe: one attempt at a time.
 */
final class MailJournal implements AutoCloseable {

    /**
     * The word a recipient's {@link Fate} is written as: {@code delivered}, {@code bounced}, or
     * {@code requeued} for a deferral (the recipient is back on the queue in another copy).
     */
    static String word(Fate fate) {
        return switch (fate) {
            case DELIVERED -> "delivered";
            case BOUNCED -> "bounced";
            case DEFERRED -> "requeued";
        };
    }

    private static String resumed(Fate fate) {
        return switch (fate) {
            case DELIVERED -> "delivered before a restart, not sent again";
            case BOUNCED -> "bounced before a restart, not bounced again";
            case DEFERRED -> "put back on the queue before a restart, not sent again from this copy";
        };
    }

    private static Optional<Fate> fateOf(String word) {
        for (Fate fate : Fate.values()) {
            if (word(fate).equals(word)) {
                return Optional.of(fate);
            }
        }
        return Optional.empty();
    }

    /**
     * A put-back about to be made: the recipient goes back on the queue in the copy whose journal id
     * is {@code copyId}, with {@code retries} retries scheduled, after {@code delay} (whole
     * seconds, rounded up). Written as
     * {@code <position> requeuing/<copyId>/<retries>/<delay in seconds> <address>} before the copy is
     * enqueued, so that a mail handed out again after James died between the enqueue and the
     * {@code requeued} line puts the recipient back again under the same id (a copy already on the
     * queue and this one then share one journal: it is sent once) instead of sending it itself.
     */
    record PutBack(String copyId, int retries, Duration delay) {

        private static final String WORD = "requeuing";

        PutBack {
            if (!DeliveryJournal.isId(copyId) || retries < 0 || delay.isNegative()) {
                throw new IllegalArgumentException("not a put-back: " + copyId + " " + retries + " " + delay);
            }
            delay = Duration.ofSeconds(delay.toSeconds() + (delay.toNanosPart() > 0 ? 1 : 0));
        }

        String word() {
            return WORD + "/" + copyId + "/" + retries + "/" + delay.toSeconds();
        }

        static Optional<PutBack> of(String word) {
            String[] parts = word.split("/", -1);
            if (parts.length != 4 || !parts[0].equals(WORD) || !DeliveryJournal.isId(parts[1]) || !isPosition(parts[2])
                    || !isPosition(parts[3])) {
                return Optional.empty();
            }
            return Optional.of(new PutBack(parts[1], Integer.parseInt(parts[2]), Duration.ofSeconds(Integer.parseInt(parts[3]))));
        }
    }

    /** What {@code beforeWrite} is given before the sync. */
    static final String SYNC = "sync";
    private static final Logger LOGGER = LoggerFactory.getLogger(MailJournal.class);

    private final String mailName;
    private final Optional<Path> file;
    private final Consumer<String> beforeWrite;
    private final Runnable onClose;
    private FileChannel channel;
    private boolean created;
    private int directorySyncs;

    MailJournal(String mailName, Optional<Path> file, Consumer<String> beforeWrite) {
        this(mailName, file, beforeWrite, () -> { });
    }

    /** {@code onClose} is run by {@link #close}: the directory no longer holds this journal for an attempt. */
    MailJournal(String mailName, Optional<Path> file, Consumer<String> beforeWrite, Runnable onClose) {
        this.mailName = mailName;
        this.file = file;
        this.beforeWrite = beforeWrite;
        this.onClose = onClose;
    }

    /** A journal that keeps nothing, for a mail queued without a journal id. */
    static MailJournal none(String mailName) {
        return new MailJournal(mailName, Optional.empty(), line -> { });
    }

    /**
     * The marks found for {@code recipients} (the mail as it came off the queue), by position.
     * Lines not understood are logged and ignored: their recipients stay unmarked.
     */
    Map<Integer, Fate> marks(List<MailAddress> recipients) {
        return read(recipients).marks();
    }

    /**
     * The put-backs begun ({@link PutBack}, written before each enqueue), by position, whether
     * known done or not: a copy is put back again whole (every position of its copy id) when one
     * of its recipients has no mark, James having died between the enqueue and the
     * {@code requeued} lines.
     */
    Map<Integer, PutBack> putBacks(List<MailAddress> recipients) {
        return read(recipients).putBacks();
    }

    /** What the journal holds for {@code recipients}: the marks, and the put-backs begun, by position. */
    record Reading(Map<Integer, Fate> marks, Map<Integer, PutBack> putBacks) {
    }

    /** Reads the journal once: {@link #marks} and {@link #putBacks} together. */
    Reading read(List<MailAddress> recipients) {
        Reading reading = new Reading(new HashMap<>(), new HashMap<>());
        if (file.isEmpty() || !Files.exists(file.get())) {
            return reading;
        }
        String text;
        try {
            text = new String(Files.readAllBytes(file.get()), StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOGGER.warn("Could not read the delivery journal {} of mail {} ({}); every recipient is sent again", file.get(), mailName,
                    e.toString());
            return reading;
        }
        int complete = text.lastIndexOf('\n') + 1;
        if (complete < text.length()) {
            LOGGER.warn("Delivery journal {} of mail {}: last line torn by a crash, ignored", file.get(), mailName);
        }
        String[] lines = text.substring(0, complete).split("\n");
        for (int n = 0; n < lines.length; n++) {
            if (lines[n].isEmpty()) {
                continue;
            }
            if (!read(lines[n], recipients, reading)) {
                LOGGER.warn("Delivery journal {} of mail {}: line {} not understood, ignored (its recipient is sent again)",
                        file.get(), mailName, n + 1);
            }
        }
        return reading;
    }

    private static boolean read(String line, List<MailAddress> recipients, Reading reading) {
        String[] fields = line.split(" ", 3);
        if (fields.length != 3) {
            return false;
        }
        if (!isPosition(fields[0])) {
            return false;
        }
        int index = Integer.parseInt(fields[0]);
        if (index < 0 || index >= recipients.size() || !recipients.get(index).asString().equals(fields[2])) {
            return false;
        }
        Optional<Fate> mark = fateOf(fields[1]);
        if (mark.isPresent()) {
            reading.marks().putIfAbsent(index, mark.get());
            return true;
        }
        Optional<PutBack> putBack = PutBack.of(fields[1]);
        putBack.ifPresent(begun -> reading.putBacks().put(index, begun));
        return putBack.isPresent();
    }

    /** A position as {@link #write} writes it: decimal ASCII digits, no sign, no leading zero, below a billion. */
    private static boolean isPosition(String field) {
        if (field.isEmpty() || field.length() > 9 || (field.charAt(0) == '0' && field.length() > 1)) {
            return false;
        }
        for (int i = 0; i < field.length(); i++) {
            if (field.charAt(i) < '0' || field.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * The positions of {@code recipients} without a mark, in order; each marked one is logged at
     * INFO. Every position is in exactly one of the two, checked.
     */
    List<Integer> unsettled(List<MailAddress> recipients, Map<Integer, Fate> marks) {
        List<Integer> open = new ArrayList<>();
        for (int i = 0; i < recipients.size(); i++) {
            Fate mark = marks.get(i);
            if (mark == null) {
                open.add(i);
            } else {
                LOGGER.info("Recipient {} of mail {} was {}", Transcript.neutralise(recipients.get(i).asString()), mailName, resumed(mark));
            }
        }
        if (open.size() + marks.size() != recipients.size()) {
            throw new IllegalStateException("mail " + mailName + ": " + marks.size() + " marked and " + open.size()
                    + " open recipients, but " + recipients.size() + " in all");
        }
        return open;
    }

    /** Marks by position in an attempt that holds only the recipients at {@code positions} of {@code recipients}. */
    AttemptMarks marksFor(List<Integer> positions, List<MailAddress> recipients) {
        if (file.isEmpty()) {
            return AttemptMarks.NONE;
        }
        List<Integer> fixed = List.copyOf(positions);
        return new AttemptMarks() {
            @Override
            public void mark(int index, Fate mark) {
                write(fixed.get(index), word(mark), mark == Fate.BOUNCED, recipients.get(fixed.get(index)));
            }

            @Override
            public void putting(int index, PutBack putBack) {
                write(fixed.get(index), putBack.word(), false, recipients.get(fixed.get(index)));
            }
        };
    }

    /** Marks {@code recipients}' {@code positions} with {@code mark} (a put-back begun before a restart, now done). */
    void mark(List<Integer> positions, Fate mark, List<MailAddress> recipients) {
        if (file.isPresent()) {
            positions.forEach(position -> write(position, word(mark), mark == Fate.BOUNCED, recipients.get(position)));
        }
    }

    private void write(int position, String word, boolean bounce, MailAddress recipient) {
        String text = position + " " + word + " " + recipient.asString() + "\n";
        beforeWrite.accept(text);
        byte[] line = text.getBytes(StandardCharsets.UTF_8);
        try {
            if (channel == null) {
                channel = open(file.get());
            }
            ByteBuffer buffer = ByteBuffer.wrap(line);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } catch (IOException e) {
            LOGGER.warn("Could not write to the delivery journal {} of mail {} ({}): after a crash, recipient {} would be {} again",
                    file.get(), mailName, e.toString(), Transcript.neutralise(recipient.asString()), bounce ? "bounced" : "sent");
        }
    }

    /** Opens the journal to append to it, creating it readable and writable by its owner only. */
    private FileChannel open(Path path) throws IOException {
        FileAttribute<?>[] ownerOnly = DeliveryJournal.isPosix(path)
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(DeliveryJournal.FILE_PERMISSIONS)}
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
     * Forces the lines written so far to the disk: once per attempt, before the acknowledgement;
     * then, when the file was created in this attempt, its directory (the entry naming the file).
     */
    void sync() {
        beforeWrite.accept(SYNC);
        if (channel != null) {
            try {
                channel.force(false);
            } catch (IOException e) {
                LOGGER.warn("Could not sync the delivery journal {} of mail {}: {}", file.get(), mailName, e.toString());
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
        Path directory = file.get().toAbsolutePath().getParent();
        try (FileChannel entries = FileChannel.open(directory, StandardOpenOption.READ)) {
            entries.force(true);
            created = false;
            directorySyncs++;
        } catch (IOException | UnsupportedOperationException e) {
            LOGGER.debug("Could not sync the delivery journal directory {}: {}", directory, e.toString());
        }
    }

    /** How many times {@link #sync} synced the directory: for tests. */
    int directorySyncs() {
        return directorySyncs;
    }

    /** Removes the journal: the queue item it belongs to was acknowledged. */
    void delete() {
        close();
        if (file.isPresent()) {
            try {
                Files.deleteIfExists(file.get());
            } catch (IOException e) {
                LOGGER.warn("Could not remove the delivery journal {} of mail {}: {}", file.get(), mailName, e.toString());
            }
        }
    }

    @Override
    public void close() {
        onClose.run();
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOGGER.debug("closing journal {}: {}", file.get(), e.toString());
            }
            channel = null;
        }
    }
}
