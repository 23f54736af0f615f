package dev.jameslmtp.mailet;

import dev.jameslmtp.client.outcome.Fate;

/**
 * Where an attempt writes down each recipient's fate the moment it is known, by the
 * recipient's position in the attempt (see {@link MailJournal#marksFor}). {@link #NONE} keeps
 * nothing: attempts driven directly by tests, and mail queued without a journal id.
 */
interface AttemptMarks {

    AttemptMarks NONE = (index, mark) -> { };

    void mark(int index, Fate mark);

    /** Before the recipient at {@code index} is put back on the queue as {@code putBack} describes. */
    default void putting(int index, MailJournal.PutBack putBack) {
    }
}
