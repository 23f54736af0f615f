package dev.jameslmtp.mailet.journal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import org.apache.james.core.MailAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.wire.Transcript;

/**
 * The journal of one queued mail, held by one attempt ({@link DeliveryJournal#tryOpen}): one line
 * per recipient whose fate in the current attempt is known ({@link JournalLines}), written the
 * moment it is known (Postfix marks each recipient done in its queue file the same way), where a
 * killed James leaves it readable by the attempt that takes the mail next. Losing a line can only
 * make a recipient be sent (or bounced) again, never lost: a journal that cannot be read or
 * written is logged (WARN) and the attempt goes on.
 *
 * <p>In the log of a journal directory ({@link LogMailJournal} over {@link JournalLog}: one
 * {@code write()} per line, which survives the JVM being killed; a sync before the
 * acknowledgement, for a machine crash, shared by the mails syncing together) or in a blob of
 * James's blob store ({@link BlobMailJournal}: the whole journal saved at each line, which every
 * James node reads). Not thread-safe: one attempt at a time.
 */
public abstract class MailJournal implements AutoCloseable {

    /**
     * The word a recipient's {@link Fate} is written as: {@code delivered}, {@code bounced}, or
     * {@code requeued} for a deferral (the recipient is back on the queue in another copy).
     */
    public static String word(Fate fate) {
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

    static Optional<Fate> fateOf(String word) {
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
    public record PutBack(String copyId, int retries, Duration delay) {

        private static final String WORD = "requeuing";

        public PutBack {
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
            if (parts.length != 4 || !parts[0].equals(WORD) || !DeliveryJournal.isId(parts[1]) || !JournalLines.isPosition(parts[2])
                    || !JournalLines.isPosition(parts[3])) {
                return Optional.empty();
            }
            return Optional.of(new PutBack(parts[1], Integer.parseInt(parts[2]), Duration.ofSeconds(Integer.parseInt(parts[3]))));
        }
    }

    /**
     * What the journal holds for the recipients of a mail: the marks and the put-backs begun, by
     * position; and whether the mail's queue item was acknowledged as done already ({@code settled}:
     * this one is a second copy left on the queue by a kill, acknowledged without an attempt).
     */
    public record Reading(Map<Integer, Fate> marks, Map<Integer, PutBack> putBacks, boolean settled) {
    }

    /** What {@code beforeWrite} is given before the sync. */
    public static final String SYNC = "sync";
    private static final Logger LOGGER = LoggerFactory.getLogger(MailJournal.class);

    final String mailName;
    private final Consumer<String> beforeWrite;
    private final Runnable onClose;

    /** {@code onClose} is run by {@link #close}: the store no longer holds this journal for an attempt. */
    MailJournal(String mailName, Consumer<String> beforeWrite, Runnable onClose) {
        this.mailName = mailName;
        this.beforeWrite = beforeWrite;
        this.onClose = onClose;
    }

    /** A journal that keeps nothing, for a mail queued without a journal id. */
    public static MailJournal none(String mailName) {
        return new MailJournal(mailName, line -> { }, () -> { }) {
            @Override
            public Reading read(List<MailAddress> recipients) {
                return new Reading(new HashMap<>(), new HashMap<>(), false);
            }

            @Override
            boolean keeps() {
                return false;
            }

            @Override
            void append(String line, boolean bounce, MailAddress recipient) {
            }

            @Override
            void force() {
            }

            @Override
            public void settle() {
                close();
            }

            @Override
            void release() {
            }
        };
    }

    /**
     * Reads the journal once, at the start of an attempt: the marks and put-backs found for
     * {@code recipients} (the mail as it came off the queue), and whether it was settled. A
     * journal that cannot be read holds nothing (logged): every recipient is sent again.
     */
    public abstract Reading read(List<MailAddress> recipients);

    /** The marks found for {@code recipients}, by position: {@link #read}. */
    public Map<Integer, Fate> marks(List<MailAddress> recipients) {
        return read(recipients).marks();
    }

    /**
     * The put-backs begun ({@link PutBack}, written before each enqueue), by position, whether
     * known done or not: a copy is put back again whole (every position of its copy id) when one
     * of its recipients has no mark, James having died between the enqueue and the
     * {@code requeued} lines.
     */
    public Map<Integer, PutBack> putBacks(List<MailAddress> recipients) {
        return read(recipients).putBacks();
    }

    /**
     * The positions of {@code recipients} without a mark, in order; each marked one is logged at
     * INFO. Every position is in exactly one of the two, checked.
     */
    public List<Integer> unsettled(List<MailAddress> recipients, Map<Integer, Fate> marks) {
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
    public AttemptMarks marksFor(List<Integer> positions, List<MailAddress> recipients) {
        if (!keeps()) {
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
    public void mark(List<Integer> positions, Fate mark, List<MailAddress> recipients) {
        if (keeps()) {
            positions.forEach(position -> write(position, word(mark), mark == Fate.BOUNCED, recipients.get(position)));
        }
    }

    private void write(int position, String word, boolean bounce, MailAddress recipient) {
        String line = JournalLines.line(position, word, recipient);
        beforeWrite.accept(line);
        append(line, bounce, recipient);
    }

    /** The message of the WARN when a line could not be written. */
    String lost(MailAddress recipient, boolean bounce) {
        return "after a crash, recipient " + Transcript.neutralise(recipient.asString()) + " would be " + (bounce ? "bounced" : "sent")
                + " again";
    }

    /** False for a journal that keeps nothing ({@link #none}). */
    abstract boolean keeps();

    /** Writes {@code line} (the mark of {@code recipient}) where the next attempt will read it, now; a failure is logged. */
    abstract void append(String line, boolean bounce, MailAddress recipient);

    /**
     * Makes the lines written so far survive a machine crash: once per attempt, before the queue
     * item is acknowledged.
     */
    public void sync() {
        beforeWrite.accept(SYNC);
        force();
    }

    abstract void force();

    /**
     * The queue took the acknowledgement of this mail's item: the journal's lines are no longer
     * needed, and the mail is remembered as settled for an hour or two, so that a second copy of it
     * left on the queue by a kill is acknowledged without an attempt. Closes the journal.
     */
    public abstract void settle();

    /** Closes what this journal holds open, after {@link #close} let the store release it. */
    abstract void release();

    @Override
    public void close() {
        onClose.run();
        release();
    }
}
