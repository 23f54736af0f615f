package dev.jameslmtp.mailet;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.apache.james.core.MailAddress;

import dev.jameslmtp.client.outcome.Fate;

/**
 * The outcome of one attempt on one James mail: exactly one {@link RecipientFate} per recipient
 * of the mail, by position (a recipient listed twice has two fates). The constructor checks it,
 * as Postfix's {@code smtp_rcpt_cleanup} sweeps its recipients, and throws
 * {@link IllegalStateException} on a recipient with no fate or with two.
 */
record MailOutcomes(String mailName, List<MailAddress> recipients, List<RecipientFate> fates) {

    MailOutcomes {
        recipients = List.copyOf(recipients);
        List<RecipientFate> sorted = new ArrayList<>(fates);
        sorted.sort(Comparator.comparingInt(RecipientFate::index));
        fates = List.copyOf(sorted);
        boolean[] seen = new boolean[recipients.size()];
        for (RecipientFate fate : fates) {
            int index = fate.index();
            if (index < 0 || index >= recipients.size()) {
                throw new IllegalStateException("mail " + mailName + ": fate for unknown recipient #" + index + " " + fate.recipient());
            }
            if (seen[index]) {
                throw new IllegalStateException("mail " + mailName + ": recipient #" + index + " " + fate.recipient() + " has two fates");
            }
            if (!fate.recipient().equals(recipients.get(index))) {
                throw new IllegalStateException("mail " + mailName + ": fate #" + index + " is for " + fate.recipient()
                        + ", not " + recipients.get(index));
            }
            seen[index] = true;
        }
        for (int i = 0; i < seen.length; i++) {
            if (!seen[i]) {
                throw new IllegalStateException("mail " + mailName + ": recipient #" + i + " " + recipients.get(i) + " has no fate");
            }
        }
    }

    List<RecipientFate> with(Fate fate) {
        return fates.stream().filter(f -> f.fate() == fate).toList();
    }

    List<MailAddress> addresses(Fate fate) {
        return with(fate).stream().map(RecipientFate::recipient).toList();
    }
}
