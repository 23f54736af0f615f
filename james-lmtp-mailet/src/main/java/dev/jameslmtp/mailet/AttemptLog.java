package dev.jameslmtp.mailet;

import java.util.List;
import java.util.StringJoiner;

import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.wire.Transcript;
import dev.jameslmtp.conf.DurationSyntax;

/**
 * The one log line per attempt: the mail, its sender, and each recipient's outcome with its
 * destination and codes, e.g.
 * <pre>
 * LMTP delivery of mail m1 from alice@a.test: delivered [bob@b.test 250 2.0.0] deferred [carol@b.test 452 4.2.2
 * (retry 1/5 in 1 minute)] bounced [dave@b.test 550 5.1.1] via inet:[127.0.0.1]:24
 * </pre>
 * INFO when everything was delivered, WARN otherwise. The line is {@link Transcript#neutralise neutralised}
 * as a whole: addresses and the store's words are untrusted.
 */
final class AttemptLog {

    private static final Logger LOGGER = LoggerFactory.getLogger(LmtpDelivery.class);

    private AttemptLog() {
    }

    static void log(Mail mail, MailOutcomes outcomes, int maxRetries) {
        String line = Transcript.neutralise(line(mail, outcomes, maxRetries));
        if (outcomes.with(Fate.DELIVERED).size() == outcomes.fates().size()) {
            LOGGER.info(line);
        } else {
            LOGGER.warn(line);
        }
    }

    static String line(Mail mail, MailOutcomes outcomes, int maxRetries) {
        StringBuilder line = new StringBuilder("LMTP delivery of mail ").append(mail.getName())
                .append(" from ").append(mail.getMaybeSender().asString()).append(':');
        for (Fate fate : Fate.values()) {
            List<RecipientFate> fates = outcomes.with(fate);
            if (!fates.isEmpty()) {
                StringJoiner joiner = new StringJoiner(", ", " " + fate.name().toLowerCase() + " [", "]");
                fates.forEach(f -> joiner.add(describe(f, maxRetries)));
                line.append(joiner);
            }
        }
        String destinations = outcomes.fates().stream().map(RecipientFate::destination).distinct()
                .reduce((a, b) -> a + ", " + b).orElse("nowhere");
        return line.append(" via ").append(destinations).toString();
    }

    private static String describe(RecipientFate fate, int maxRetries) {
        String text = fate.summary();
        if (fate.fate() == Fate.DEFERRED) {
            text += " (retry " + fate.retries() + "/" + maxRetries + " in " + DurationSyntax.format(fate.retryDelay().orElseThrow()) + ": "
                    + fate.verdict().text() + ")";
        } else if (fate.fate() == Fate.BOUNCED) {
            text += " (" + (fate.permanent() ? "" : "after " + fate.retries() + " retries: ") + fate.verdict().text() + ")";
        }
        return text;
    }
}
