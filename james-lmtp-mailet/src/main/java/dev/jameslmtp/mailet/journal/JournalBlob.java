package dev.jameslmtp.mailet.journal;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

/**
 * What one blob of the {@link BlobJournal} holds, as UTF-8 text: a first line
 * {@code journal <written>} followed by the mail's journal lines ({@link JournalLines}), or
 * {@code settled <written>} alone once the mail's queue item was acknowledged. {@code <written>}
 * is when the blob was last written, in epoch milliseconds: a blob store's DAO shows no
 * modification time, so the sweeper ages a blob by this.
 */
record JournalBlob(boolean settled, Instant written, String lines) {

    private static final String JOURNAL = "journal";
    private static final String SETTLED = "settled";
    /** Epoch milliseconds up to the year 33658: enough digits, and never a long overflow. */
    private static final int MAX_DIGITS = 15;

    static JournalBlob marks(Instant written, CharSequence lines) {
        return new JournalBlob(false, written, lines.toString());
    }

    static JournalBlob settled(Instant written) {
        return new JournalBlob(true, written, "");
    }

    byte[] bytes() {
        return ((settled ? SETTLED : JOURNAL) + " " + written.toEpochMilli() + "\n" + lines).getBytes(StandardCharsets.UTF_8);
    }

    /** The blob {@code bytes} as this class writes them; empty when its first line is not. */
    static Optional<JournalBlob> parse(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        int end = text.indexOf('\n');
        if (end < 0) {
            return Optional.empty();
        }
        String[] header = text.substring(0, end).split(" ", -1);
        if (header.length != 2 || !(header[0].equals(JOURNAL) || header[0].equals(SETTLED)) || !isMillis(header[1])) {
            return Optional.empty();
        }
        boolean settled = header[0].equals(SETTLED);
        return Optional.of(new JournalBlob(settled, Instant.ofEpochMilli(Long.parseLong(header[1])), settled ? "" : text.substring(end + 1)));
    }

    private static boolean isMillis(String field) {
        if (field.isEmpty() || field.length() > MAX_DIGITS) {
            return false;
        }
        return field.chars().allMatch(c -> c >= '0' && c <= '9');
    }
}
