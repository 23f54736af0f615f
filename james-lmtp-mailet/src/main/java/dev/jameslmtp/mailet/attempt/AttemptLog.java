package dev.jameslmtp.mailet.attempt;

import java.util.List;
import java.util.StringJoiner;

import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.outcome.Verdict;
import dev.jameslmtp.client.wire.Transcript;
import dev.jameslmtp.conf.DelaySchedule;
import dev.jameslmtp.conf.DurationSyntax;
import dev.jameslmtp.mailet.LmtpDelivery;
import dev.jameslmtp.mailet.report.Bounces;

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
public final class AttemptLog {

    private static final Logger LOGGER = LoggerFactory.getLogger(LmtpDelivery.class);

    private AttemptLog() {
    }

    static void log(Mail mail, DeliveryResult result, DelaySchedule schedule) {
        String line = Transcript.neutralise(line(mail, result, schedule));
        if (result.allDelivered()) {
            LOGGER.info(line);
        } else {
            LOGGER.warn(line);
        }
    }

    public static String line(Mail mail, DeliveryResult result, DelaySchedule schedule) {
        StringBuilder line = new StringBuilder("LMTP delivery of mail ").append(mail.getName())
                .append(" from ").append(mail.getMaybeSender().asString()).append(':');
        for (Fate fate : Fate.values()) {
            List<Integer> positions = result.positions(fate);
            if (!positions.isEmpty()) {
                StringJoiner joiner = new StringJoiner(", ", " " + fate.name().toLowerCase() + " [", "]");
                positions.forEach(index -> joiner.add(describe(mail, result, index, schedule)));
                line.append(joiner);
            }
        }
        String destinations = String.join(", ", result.distinctDestinations());
        return line.append(" via ").append(destinations.isEmpty() ? "nowhere" : destinations).toString();
    }

    /** {@code "bob@example.com 550 5.1.1 (User doesn't exist)"}, with the retry for a deferral. */
    private static String describe(Mail mail, DeliveryResult result, int index, DelaySchedule schedule) {
        Verdict verdict = result.verdict(index);
        String text = Bounces.summary(result, index);
        if (verdict.fate() == Fate.DEFERRED) {
            int retries = RetryState.after(mail, result, index);
            text += " (retry " + retries + "/" + schedule.maxRetries() + " in " + DurationSyntax.format(schedule.delayBeforeRetry(retries))
                    + ": " + verdict.text() + ")";
        } else if (verdict.fate() == Fate.BOUNCED) {
            text += " (" + (verdict.permanent() ? "" : "after " + RetryState.after(mail, result, index) + " retries: ") + verdict.text() + ")";
        }
        return text;
    }
}
