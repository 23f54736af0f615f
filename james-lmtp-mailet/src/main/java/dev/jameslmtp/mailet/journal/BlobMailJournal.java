package dev.jameslmtp.mailet.journal;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import org.apache.james.core.MailAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mail's journal in a blob of the {@link BlobJournal}: read once when the attempt starts (no
 * blob: no marks), then saved whole, with the new line and the time, at each mark: when
 * {@code save} returns, the mark is in the shared store, where a node that takes the mail after
 * this one was killed reads it. {@link #sync} has nothing left to do. {@link #settle} replaces the
 * journal by a {@code settled} record ({@link JournalBlob}).
 *
 * <p>DAO calls per attempt: one read, one save per recipient marked (each 2xx after the dot, each
 * bounce, each deferred recipient's put-back line and {@code requeued} line), one save to settle.
 */
final class BlobMailJournal extends MailJournal {

    private static final Logger LOGGER = LoggerFactory.getLogger(MailJournal.class);

    private final BlobJournal store;
    private final String name;
    private final Clock clock;
    private final StringBuilder lines = new StringBuilder();
    private boolean loaded;

    BlobMailJournal(String mailName, BlobJournal store, String id, Clock clock, Consumer<String> beforeWrite, Runnable onClose) {
        super(mailName, beforeWrite, onClose);
        this.store = store;
        this.name = store.blobName(id);
        this.clock = clock;
    }

    @Override
    public Reading read(List<MailAddress> recipients) {
        Optional<JournalBlob> blob = load();
        return JournalLines.parse(blob.map(JournalBlob::lines).orElse(""), recipients, blob.map(JournalBlob::settled).orElse(false),
                where(), mailName);
    }

    /** The blob as it is now; empty when there is none, or it cannot be read or understood (logged). The lines it holds are kept. */
    private Optional<JournalBlob> load() {
        loaded = true;
        lines.setLength(0);
        Optional<byte[]> bytes;
        try {
            bytes = store.read(name);
        } catch (RuntimeException e) {
            LOGGER.warn("Could not read the delivery journal {} of mail {} ({}); every recipient is sent again", where(), mailName,
                    e.toString());
            return Optional.empty();
        }
        Optional<JournalBlob> blob = bytes.flatMap(JournalBlob::parse);
        if (bytes.isPresent() && blob.isEmpty()) {
            LOGGER.warn("Delivery journal {} of mail {} is not what LmtpDelivery writes; ignored (every recipient is sent again)", where(),
                    mailName);
        }
        blob.ifPresent(found -> lines.append(found.lines()));
        return blob;
    }

    private String where() {
        return name + " (blob store, bucket " + BlobJournal.BUCKET.asString() + ")";
    }

    @Override
    boolean keeps() {
        return true;
    }

    @Override
    void append(String line, boolean bounce, MailAddress recipient) {
        if (!loaded) {
            load(); // never replace lines this attempt has not read
        }
        lines.append(line);
        try {
            store.save(name, JournalBlob.marks(clock.instant(), lines).bytes());
        } catch (RuntimeException e) {
            LOGGER.warn("Could not write to the delivery journal {} of mail {} ({}): {}", where(), mailName, e.toString(),
                    lost(recipient, bounce));
        }
    }

    @Override
    void force() {
        // each mark was in the store when its save returned
    }

    @Override
    public void settle() {
        try {
            store.save(name, JournalBlob.settled(clock.instant()).bytes());
        } catch (RuntimeException e) {
            LOGGER.warn("Could not mark the delivery journal {} of mail {} settled ({}): a second copy of the mail left on the queue by"
                    + " a kill would be sent to the recipients without a mark", where(), mailName, e.toString());
        }
        close();
    }

    @Override
    void release() {
        // nothing held open
    }
}
