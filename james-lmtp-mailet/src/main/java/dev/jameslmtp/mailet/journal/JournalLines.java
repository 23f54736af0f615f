package dev.jameslmtp.mailet.journal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import org.apache.james.core.MailAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.client.outcome.Fate;

/**
 * The lines of a mail's journal, the same in the files ({@link LogMailJournal}) and in a blob
 * ({@link BlobMailJournal}): {@code <position> <mark> <address>}, one per recipient whose fate is
 * known, the mark a {@link MailJournal#word(Fate) word} or a {@link MailJournal.PutBack put-back}
 * begun.
 *
 * <p>Reading is fail-safe: a last line without its newline (torn by a crash) is ignored, and so is
 * a line that is not exactly as written here (the position in plain decimal digits, a known mark)
 * or whose address is not the mail's recipient at that position: such a recipient has no mark and
 * is sent again.
 */
final class JournalLines {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9-]{1,64}");
    private static final Logger LOGGER = LoggerFactory.getLogger(MailJournal.class);
    /** One MD5 per thread: {@code MessageDigest.getInstance} looks the provider up at each call, which cost more than the digest. */
    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has MD5", e);
        }
    });

    private JournalLines() {
    }

    /** Whether {@code text} is a journal id: see {@link DeliveryJournal#isId}. */
    static boolean isId(String text) {
        return ID.matcher(text).matches();
    }

    /**
     * {@link UUID#nameUUIDFromBytes}, the same UUID for the same bytes (a derived journal id must
     * not change across versions, nodes and restarts), without a provider lookup per call: the
     * intake derives one for every mail.
     */
    static UUID nameUuid(byte[] name) {
        byte[] md5 = MD5.get().digest(name);
        md5[6] = (byte) ((md5[6] & 0x0f) | 0x30); // version 3
        md5[8] = (byte) ((md5[8] & 0x3f) | 0x80); // IETF variant
        long msb = 0;
        long lsb = 0;
        for (int i = 0; i < 8; i++) {
            msb = (msb << 8) | (md5[i] & 0xff);
            lsb = (lsb << 8) | (md5[8 + i] & 0xff);
        }
        return new UUID(msb, lsb);
    }

    /** The line marking the recipient {@code recipient} at {@code position} with {@code word}. */
    static String line(int position, String word, MailAddress recipient) {
        return position + " " + word + " " + recipient.asString() + "\n";
    }

    /**
     * What {@code text}, the lines of the journal {@code where} of mail {@code mailName}, holds for
     * {@code recipients}. Lines not understood are logged and ignored.
     */
    static MailJournal.Reading parse(String text, List<MailAddress> recipients, boolean settled, String where, String mailName) {
        MailJournal.Reading reading = new MailJournal.Reading(new HashMap<>(), new HashMap<>(), settled);
        int complete = text.lastIndexOf('\n') + 1;
        if (complete < text.length()) {
            LOGGER.warn("Delivery journal {} of mail {}: last line torn by a crash, ignored", where, mailName);
        }
        String[] lines = text.substring(0, complete).split("\n");
        for (int n = 0; n < lines.length; n++) {
            if (lines[n].isEmpty()) {
                continue;
            }
            if (!read(lines[n], recipients, reading)) {
                LOGGER.warn("Delivery journal {} of mail {}: line {} not understood, ignored (its recipient is sent again)",
                        where, mailName, n + 1);
            }
        }
        return reading;
    }

    private static boolean read(String line, List<MailAddress> recipients, MailJournal.Reading reading) {
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
        Optional<Fate> mark = MailJournal.fateOf(fields[1]);
        if (mark.isPresent()) {
            reading.marks().putIfAbsent(index, mark.get());
            return true;
        }
        Optional<MailJournal.PutBack> putBack = MailJournal.PutBack.of(fields[1]);
        putBack.ifPresent(begun -> reading.putBacks().put(index, begun));
        return putBack.isPresent();
    }

    /** A position as {@link #line} writes it: decimal ASCII digits, no sign, no leading zero, below a billion. */
    static boolean isPosition(String field) {
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
}
