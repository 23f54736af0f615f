package dev.jameslmtp.mailet;

import java.util.Optional;

import org.apache.james.core.MailAddress;

import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.outcome.Trouble;
import dev.jameslmtp.client.outcome.Verdict;
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
 * The verdicts themselves, those decided before any LMTP exchange included, are the client's
 * {@link Trouble}.
 */
final class OutcomeMapper {

    private final boolean softBounce;
    private final DelaySchedule schedule;

    OutcomeMapper(boolean softBounce, DelaySchedule schedule) {
        this.softBounce = softBounce;
        this.schedule = schedule;
    }

    RecipientFate map(int index, MailAddress recipient, String destination, Verdict verdict, int retriesSoFar) {
        Verdict effective = softBounce ? Trouble.softened(verdict) : verdict;
        return switch (effective.fate()) {
            case DELIVERED -> new RecipientFate(index, recipient, Fate.DELIVERED, destination, effective, retriesSoFar, Optional.empty());
            case BOUNCED -> new RecipientFate(index, recipient, Fate.BOUNCED, destination, effective, retriesSoFar, Optional.empty());
            case DEFERRED -> retriesSoFar < schedule.maxRetries()
                    ? new RecipientFate(index, recipient, Fate.DEFERRED, destination, effective, retriesSoFar + 1,
                            Optional.of(schedule.delayBeforeRetry(retriesSoFar + 1)))
                    : new RecipientFate(index, recipient, Fate.BOUNCED, destination, effective, retriesSoFar, Optional.empty());
        };
    }
}
