package dev.jameslmtp.mailet;

import java.util.Optional;

import org.apache.james.core.MailAddress;

import dev.jameslmtp.client.Fate;
import dev.jameslmtp.client.EnhancedStatus;
import dev.jameslmtp.client.Reply;
import dev.jameslmtp.client.Stage;
import dev.jameslmtp.client.Verdict;
import dev.jameslmtp.conf.DelaySchedule;

/**
 * The mailet's failure policy, in one place: which verdict, for a recipient with how many retries
 * behind it, gives which {@link Fate}.
 *
 * <ul>
 *   <li>2xx after the final dot: {@link Fate#DELIVERED}.</li>
 *   <li>Permanent (5xx at MAIL, RCPT, DATA or after the dot; or a local 5.x.x such as a message
 *   over the server's SIZE): {@link Fate#BOUNCED}, unless {@code softBounce}, which turns it into a
 *   temporary failure: reply code 5yz becomes 4yz and status 5.x.x becomes 4.x.x, as Postfix's
 *   {@code soft_bounce} does.</li>
 *   <li>Temporary (4xx, connection trouble, timeouts, missing replies, no route): {@link Fate#DEFERRED}
 *   while the recipient has retries left, else {@link Fate#BOUNCED} with the last temporary verdict
 *   (James's {@code is-delivery-permanent-error} then says false, as for RemoteDelivery).</li>
 * </ul>
 * It also makes the verdicts for what is decided before any LMTP exchange.
 */
final class OutcomeMapper {

    private final boolean softBounce;
    private final DelaySchedule schedule;

    OutcomeMapper(boolean softBounce, DelaySchedule schedule) {
        this.softBounce = softBounce;
        this.schedule = schedule;
    }

    RecipientFate map(int index, MailAddress recipient, String destination, Verdict verdict, int retriesSoFar) {
        Verdict effective = softBounce && verdict.fate() == Fate.BOUNCED ? soften(verdict) : verdict;
        return switch (effective.fate()) {
            case DELIVERED -> new RecipientFate(index, recipient, Fate.DELIVERED, destination, effective, retriesSoFar, Optional.empty());
            case BOUNCED -> new RecipientFate(index, recipient, Fate.BOUNCED, destination, effective, retriesSoFar, Optional.empty());
            case DEFERRED -> retriesSoFar < schedule.maxRetries()
                    ? new RecipientFate(index, recipient, Fate.DEFERRED, destination, effective, retriesSoFar + 1,
                            Optional.of(schedule.delayBeforeRetry(retriesSoFar + 1)))
                    : new RecipientFate(index, recipient, Fate.BOUNCED, destination, effective, retriesSoFar, Optional.empty());
        };
    }

    /** 5yz 5.x.x becomes 4yz 4.x.x. */
    static Verdict soften(Verdict verdict) {
        Optional<Reply> reply = verdict.reply().map(r -> r.isPermanentNegative()
                ? new Reply(r.code() - 100, r.status().asTemporary(), r.lines())
                : r);
        return new Verdict(Fate.DEFERRED, verdict.stage(), reply, verdict.status().asTemporary(), verdict.text(),
                verdict.server());
    }

    /** No transport map entry for the domain: an operator's mistake, so deferred rather than bounced (4.3.5). */
    static Verdict noRoute(String domain) {
        return new Verdict(Fate.DEFERRED, Stage.CONNECT, Optional.empty(), new EnhancedStatus(4, 3, 5),
                "no LMTP destination for domain " + domain + " in the transport map");
    }

    /** The route written on the queued mail is not a destination (4.3.5): deferred, never guessed. */
    static Verdict badRoute(String route) {
        return new Verdict(Fate.DEFERRED, Stage.CONNECT, Optional.empty(), new EnhancedStatus(4, 3, 5),
                "the route fixed on the queued mail is not an LMTP destination: " + route);
    }

    /** James is shutting down: no new session is opened (4.3.2, system not accepting network messages). */
    static Verdict shuttingDown() {
        return new Verdict(Fate.DEFERRED, Stage.CONNECT, Optional.empty(), new EnhancedStatus(4, 3, 2),
                "James is shutting down");
    }

    /** The sender cannot be written in MAIL FROM (5.1.7). */
    static Verdict badSender(String reason) {
        return new Verdict(Fate.BOUNCED, Stage.MAIL, Optional.empty(), new EnhancedStatus(5, 1, 7),
                "bad sender address syntax: " + reason);
    }

    /** The recipient cannot be written in RCPT TO (5.1.3). */
    static Verdict badRecipient(String reason) {
        return new Verdict(Fate.BOUNCED, Stage.RCPT, Optional.empty(), new EnhancedStatus(5, 1, 3),
                "bad destination mailbox address syntax: " + reason);
    }
}
