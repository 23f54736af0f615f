package dev.jameslmtp.mailet.journal;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import org.apache.james.blob.api.BlobId;
import org.apache.james.blob.api.BlobStoreDAO;
import org.apache.james.blob.api.BucketName;
import org.apache.james.blob.api.ObjectNotFoundException;
import org.apache.mailet.Mail;
import org.reactivestreams.Publisher;

import dev.jameslmtp.conf.ConfigurationError;
import dev.jameslmtp.conf.Parameter;
import dev.jameslmtp.mailet.attempt.DeliveryMetrics;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The delivery journals of one LmtpDelivery in James's blob store ({@code journalStore}
 * {@code blobstore}): one blob per queued mail in the bucket {@code lmtp-journal}, read by every
 * James node that binds the same {@link BlobStoreDAO} (the distributed flavour's S3 or Cassandra
 * store). A node killed in an attempt leaves its mail to another node, which reads the marks the
 * dead node wrote and sends only to the recipients without one.
 *
 * <p>The blob of a mail ({@link JournalBlob}) is named {@code journal.<queue>.<journal id>} and
 * rewritten whole at each mark ({@link BlobMailJournal}: {@code save} replaces a blob atomically;
 * a mail has at most {@code recipientLimit} recipients, and one node at a time works on it). Once
 * the queue item is acknowledged, it is replaced by a small {@code settled} record, so that a
 * second copy of the mail left on the queue by a kill, on whichever node, is acknowledged without
 * an attempt; {@link BlobJournalSweeper} removes settled records after an hour or two and journals
 * left behind after {@code journalMaxAge}. {@code <queue>} is the queue's name when it is made of
 * ASCII letters, digits and dashes, else {@code !} and the hex of its UTF-8 bytes: a blob name has
 * neither {@code /} nor {@code _} (James's generation-aware blob ids read {@code _}).
 *
 * <p>Each call to the store is bounded by {@value #CALL_TIMEOUT_SECONDS} seconds; a journal the
 * store cannot read or write is handled as {@link FileJournal} handles a failing disk (logged;
 * the recipients are sent again rather than lost). The in-process claim ({@link #tryOpen}: one
 * attempt of this James per journal) is this James's: two nodes never hold one queue item at once.
 */
public final class BlobJournal implements DeliveryJournal {

    public static final BucketName BUCKET = BucketName.of("lmtp-journal");
    static final int CALL_TIMEOUT_SECONDS = 20;
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(CALL_TIMEOUT_SECONDS);
    private static final Pattern PLAIN_QUEUE = Pattern.compile("[A-Za-z0-9-]{1,100}");

    private final BlobStoreDAO dao;
    private final BlobId.Factory ids;
    private final String queueKey;
    private final Clock clock;
    private final Set<String> held = new HashSet<>();
    private volatile Consumer<String> beforeWrite = line -> { };

    private BlobJournal(BlobStoreDAO dao, BlobId.Factory ids, String queueKey, Clock clock) {
        this.dao = dao;
        this.ids = ids;
        this.queueKey = queueKey;
        this.clock = clock;
    }

    /**
     * The journal of the mailet consuming {@code outgoing} in {@code dao}'s bucket
     * {@code lmtp-journal}, once a blob could be written there and removed.
     *
     * @throws ConfigurationError naming {@code journalStore} when the store refuses
     */
    public static BlobJournal open(BlobStoreDAO dao, BlobId.Factory ids, String outgoing, Clock clock) {
        BlobJournal journal = new BlobJournal(dao, ids, queueKey(outgoing), clock);
        String probe = "probe." + journal.queueKey + "." + DeliveryJournal.newId();
        try {
            journal.save(probe, "probe\n".getBytes(StandardCharsets.US_ASCII));
            journal.delete(probe);
        } catch (RuntimeException e) {
            throw ConfigurationError.invalid(Parameter.JOURNAL_STORE.key(), "blobstore", "a blob store James can write to, but a blob"
                    + " could not be written to and removed from its bucket " + BUCKET.asString() + " (" + e + "); or journalStore file");
        }
        return journal;
    }

    static String queueKey(String outgoing) {
        if (PLAIN_QUEUE.matcher(outgoing).matches()) {
            return outgoing;
        }
        return "!" + HexFormat.of().formatHex(outgoing.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public Optional<MailJournal> tryOpen(Mail mail) {
        Optional<String> id = DeliveryJournal.idOf(mail);
        if (id.isEmpty()) {
            return Optional.of(MailJournal.none(mail.getName()));
        }
        if (!claim(id.get())) {
            return Optional.empty();
        }
        return Optional.of(new BlobMailJournal(mail.getName(), this, id.get(), clock, beforeWrite, () -> release(id.get())));
    }

    /** Holds journal {@code id} for an attempt, or for the sweeper while it removes it; false when it is held already. */
    boolean claim(String id) {
        synchronized (held) {
            return held.add(id);
        }
    }

    void release(String id) {
        synchronized (held) {
            held.remove(id);
        }
    }

    @Override
    public DeliveryJournal.Sweeper startSweeper(Duration maxAge, Clock sweepClock, DeliveryMetrics metrics, String threadName) {
        BlobJournalSweeper sweeper = new BlobJournalSweeper(this, maxAge, sweepClock, metrics);
        sweeper.start(threadName);
        return sweeper;
    }

    @Override
    public String describe() {
        return "blobs " + prefix() + "* in the bucket " + BUCKET.asString() + " of James's blob store";
    }

    @Override
    public void beforeWrite(Consumer<String> hook) {
        this.beforeWrite = hook;
    }

    @Override
    public void close() {
        // every write is done when it returns: nothing is held open
    }

    /** The name of the blob of journal {@code id}. */
    String blobName(String id) {
        return prefix() + id;
    }

    /** The journal id a blob of this journal is named after; empty for the blobs of other queues, the heartbeat and probes. */
    Optional<String> journalId(String blobName) {
        return Optional.of(blobName).filter(name -> name.startsWith(prefix())).map(name -> name.substring(prefix().length()))
                .filter(DeliveryJournal::isId);
    }

    String heartbeatName() {
        return "heartbeat." + queueKey;
    }

    private String prefix() {
        return "journal." + queueKey + ".";
    }

    /** The blob {@code name}; empty when there is none. The store's failures are thrown (a timeout too). */
    Optional<byte[]> read(String name) {
        try {
            return Optional.ofNullable(block(dao.readBytes(BUCKET, ids.from(name))));
        } catch (ObjectNotFoundException absent) {
            return Optional.empty();
        }
    }

    /** Replaces the blob {@code name} by {@code bytes}; the store's failures are thrown. */
    void save(String name, byte[] bytes) {
        block(dao.save(BUCKET, ids.from(name), bytes));
    }

    /** Removes the blob {@code name}, if it is there; the store's failures are thrown. */
    void delete(String name) {
        block(dao.delete(BUCKET, ids.from(name)));
    }

    /** As {@link #read}, not blocking: for the sweeper. */
    Mono<Optional<byte[]>> readLater(String name) {
        return Mono.from(dao.readBytes(BUCKET, ids.from(name))).timeout(CALL_TIMEOUT).map(Optional::of)
                .onErrorResume(ObjectNotFoundException.class, absent -> Mono.just(Optional.empty()));
    }

    /** As {@link #delete}, not blocking: for the sweeper. */
    Mono<Void> deleteLater(String name) {
        return Mono.from(dao.delete(BUCKET, ids.from(name))).timeout(CALL_TIMEOUT);
    }

    /** The names of the blobs in the bucket (of every queue): for the sweeper. */
    Flux<String> names() {
        return Flux.from(dao.listBlobs(BUCKET)).map(BlobId::asString);
    }

    private static <T> T block(Publisher<T> call) {
        return Mono.from(call).block(CALL_TIMEOUT);
    }
}
