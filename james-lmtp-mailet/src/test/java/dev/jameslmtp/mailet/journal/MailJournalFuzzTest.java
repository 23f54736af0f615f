package dev.jameslmtp.mailet.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.james.core.MailAddress;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import dev.jameslmtp.client.outcome.Fate;

/**
 * Fuzzes the fail-safe reading of a {@link MailJournal}: whatever its bytes hold (torn, corrupt,
 * written by someone else), reading never throws, and a recipient is taken as done only where a
 * whole line says exactly what the journal writes for it; every other recipient is sent again,
 * never lost. Marks written by the journal itself are read back, whatever else is in its bytes.
 * Seeds: {@code src/test/resources/dev/jameslmtp/mailet/journal/MailJournalFuzzTestInputs/}.
 */
class MailJournalFuzzTest {

    private static final List<String> WORDS = List.of("delivered", "bounced", "requeued");
    private static final Map<Fate, String> WORD_OF = Map.of(Fate.DELIVERED, "delivered", Fate.BOUNCED, "bounced", Fate.DEFERRED, "requeued");

    @FuzzTest(maxDuration = "10m")
    void marksShouldComeOnlyFromWholeExactLinesWhateverTheFileHolds(FuzzedDataProvider data) throws Exception {
        List<MailAddress> recipients = recipients(data);
        Map<Integer, Fate> writtenAtLineStart = new HashMap<>();
        InBytes journal = new InBytes();
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < recipients.size(); i++) {
            if (data.consumeBoolean()) {
                positions.add(i);
            }
        }
        AttemptMarks marks = journal.marksFor(positions, recipients);
        for (int index = 0; index < positions.size() && data.remainingBytes() > 0; index++) {
            if (data.consumeBoolean()) {
                boolean atLineStart = journal.bytes.size() == 0 || endsWithNewline(journal.bytes.toByteArray());
                Fate mark = data.pickValue(Fate.values());
                marks.mark(index, mark);
                if (atLineStart) {
                    writtenAtLineStart.putIfAbsent(positions.get(index), mark);
                }
            }
            // what else may be in the journal: a line as the journal writes it but for the wrong place or
            // mark, any bytes (perhaps without their newline, spoiling the next line)
            journal.bytes.writeBytes(stranger(data, recipients));
        }
        journal.bytes.writeBytes(data.consumeRemainingAsBytes()); // and a last line torn by a crash, perhaps
        byte[] bytes = journal.bytes.toByteArray();

        Map<Integer, Fate> read = journal.marks(recipients);
        List<Integer> open = journal.unsettled(recipients, read);

        assertThat(read).isEqualTo(reference(new String(bytes, StandardCharsets.UTF_8), recipients));
        writtenAtLineStart.forEach((position, mark) -> assertThat(read).as("written mark of %d", position).containsKey(position));
        assertThat(open.size() + read.size()).isEqualTo(recipients.size());
        open.forEach(position -> assertThat(read).doesNotContainKey(position));
    }

    private static byte[] stranger(FuzzedDataProvider data, List<MailAddress> recipients) {
        if (!recipients.isEmpty() && data.consumeBoolean()) {
            int position = data.consumeInt(-1, recipients.size());
            MailAddress address = recipients.get(data.consumeInt(0, recipients.size() - 1));
            String prefix = data.pickValue(List.of("", "0", "+", "-", " ", "\u0661"));
            return (prefix + position + " " + data.pickValue(WORDS) + " " + address.asString() + data.pickValue(List.of("\n", "\r\n", " \n", "")))
                    .getBytes(StandardCharsets.UTF_8);
        }
        return data.consumeBytes(data.consumeInt(0, 60));
    }

    private static boolean endsWithNewline(byte[] bytes) {
        return bytes.length > 0 && bytes[bytes.length - 1] == '\n';
    }

    /**
     * The reference: a mark for a position only from a whole line {@code <position> <word> <address>}
     * with the position in the journal's own decimal form and the recipient at that position; the
     * first such line wins.
     */
    static Map<Integer, Fate> reference(String text, List<MailAddress> recipients) {
        Map<Integer, Fate> marks = new HashMap<>();
        int start = 0;
        for (int end = text.indexOf('\n'); end >= 0; start = end + 1, end = text.indexOf('\n', start)) {
            String line = text.substring(start, end);
            for (int position = 0; position < recipients.size(); position++) {
                for (Fate mark : Fate.values()) {
                    String exact = position + " " + WORD_OF.get(mark) + " " + recipients.get(position).asString();
                    if (line.equals(exact)) {
                        marks.putIfAbsent(position, mark);
                    }
                }
            }
        }
        return marks;
    }

    private static List<MailAddress> recipients(FuzzedDataProvider data) throws Exception {
        List<MailAddress> recipients = new ArrayList<>();
        int count = data.consumeInt(0, 6);
        for (int i = 0; i < count; i++) {
            // a few local parts only, so that the same address comes twice, as a mail may hold it
            recipients.add(new MailAddress(data.pickValue(List.of("a", "b", "bob", "x.y", "1")) + "@" + data.pickValue(List.of("b.test", "c.test"))));
        }
        return recipients;
    }

    /**
     * A mail's journal as the mailet writes and reads it (its lines, {@link JournalLines}), over
     * bytes that anybody else may write into too, as into a file.
     */
    private static final class InBytes extends MailJournal {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        InBytes() {
            super("fuzz", line -> { }, () -> { });
        }

        @Override
        public Reading read(List<MailAddress> recipients) {
            return JournalLines.parse(new String(bytes.toByteArray(), StandardCharsets.UTF_8), recipients, false, "fuzz", mailName);
        }

        @Override
        boolean keeps() {
            return true;
        }

        @Override
        void append(String line, boolean bounce, MailAddress recipient) {
            bytes.writeBytes(line.getBytes(StandardCharsets.UTF_8));
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
    }
}
