package dev.jameslmtp.mailet.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.mailet.queue.DeliveryConsumer;

/**
 * The journal ids of queue items acknowledged as done lately, so that a second item with the same
 * id, left on the queue by a James killed at the wrong moment, sends nothing again. A James kill
 * can leave a mail twice on the mailet's queue, both copies carrying the same journal id: between
 * {@code service()} queueing the mail and James's spool acknowledging it (the spool hands the mail
 * out again, and {@code service()} gives it the same id, derived from the mail), and between a
 * hand-back to the queue and the acknowledgement of the item handed back. Whichever copy is
 * attempted first settles the mail; its id is then written here, and the other copy, finding it,
 * is acknowledged without an attempt ({@link DeliveryConsumer#process}).
 *
 * <p>Two files in the journal directory: {@value #CURRENT}, appended to (one {@code write()} per
 * id, which survives SIGKILL), and {@value #PREVIOUS}. {@link #rotate} (hourly, by the
 * {@link JournalSweeper}, so in James's running time, and whenever {@value #MAX_CURRENT} ids were
 * added since the last rotation) replaces the previous file by the current one: an id is kept
 * for one to two hours of running time, far longer than a copy left by a restart waits (it is
 * handed out with the restart, at once or after a busy delay of seconds). Memory: two sets of at
 * most {@value #MAX_CURRENT} ids. Not synced: after a machine crash, ids written in the last
 * seconds may be lost, and a copy left twice then be sent twice. Thread-safe.
 */
public final class SettledItems implements AutoCloseable {

    public static final String CURRENT = "settled.current";
    static final String PREVIOUS = "settled.previous";
    static final int MAX_CURRENT = 500_000;
    private static final Logger LOGGER = LoggerFactory.getLogger(SettledItems.class);

    private final Path directory;
    private Set<String> current;
    private Set<String> previous;
    private FileChannel out;

    private SettledItems(Path directory, Set<String> current, Set<String> previous) {
        this.directory = directory;
        this.current = current;
        this.previous = previous;
    }

    /** Reads what the files hold (a torn last line and lines that are no journal id are ignored). */
    static SettledItems open(Path directory) throws IOException {
        return new SettledItems(directory, read(directory.resolve(CURRENT)), read(directory.resolve(PREVIOUS)));
    }

    private static Set<String> read(Path file) throws IOException {
        Set<String> ids = new HashSet<>();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException absent) {
            return ids;
        } catch (java.nio.charset.CharacterCodingException e) {
            LOGGER.warn("{} is not what LmtpDelivery writes there; ignored", file);
            return ids;
        }
        int complete = text.lastIndexOf('\n') + 1;
        for (String line : text.substring(0, complete).split("\n")) {
            if (DeliveryJournal.isId(line)) {
                ids.add(line);
            }
        }
        return ids;
    }

    synchronized boolean contains(String id) {
        return current.contains(id) || previous.contains(id);
    }

    /** Remembers {@code id}: the queue item carrying it was acknowledged as done. */
    synchronized void add(String id) {
        if (!current.add(id)) {
            return;
        }
        byte[] line = (id + "\n").getBytes(StandardCharsets.US_ASCII);
        try {
            if (out == null) {
                out = FileChannel.open(directory.resolve(CURRENT), java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND), FileJournal.ownerOnly(directory));
            }
            ByteBuffer buffer = ByteBuffer.wrap(line);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
        } catch (IOException e) {
            LOGGER.warn("Could not write to {} ({}): should James be killed now, a copy of the mail left twice on the queue would"
                    + " be sent again", directory.resolve(CURRENT), e.toString());
        }
        if (current.size() >= MAX_CURRENT) {
            rotate();
        }
    }

    /** The current ids become the previous ones; the previous ones are forgotten. */
    synchronized void rotate() {
        closeFile();
        try {
            if (Files.exists(directory.resolve(CURRENT))) {
                Files.move(directory.resolve(CURRENT), directory.resolve(PREVIOUS), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
            } else {
                Files.deleteIfExists(directory.resolve(PREVIOUS));
            }
        } catch (IOException e) {
            LOGGER.warn("Could not rotate {} ({}); ids are kept in memory only until the next rotation", directory.resolve(CURRENT),
                    e.toString());
        }
        previous = current;
        current = new HashSet<>();
    }

    private void closeFile() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                LOGGER.debug("closing {}: {}", directory.resolve(CURRENT), e.toString());
            }
            out = null;
        }
    }

    @Override
    public synchronized void close() {
        closeFile();
    }
}
