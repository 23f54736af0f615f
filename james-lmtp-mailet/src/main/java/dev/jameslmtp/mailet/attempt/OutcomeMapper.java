package dev.jameslmtp.mailet.attempt;

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
 *   while the recipient has retries left, else {@link Fate#BOUNCED} with the last temporary reply
 *   and status ({@link Trouble#givenUp}; James's {@code is-delivery-permanent-error} then says
 *   false, as for RemoteDelivery).</li>
 * </ul>
 * The verdicts themselves, those decided before any LMTP exchange included, are the client's
 * {@link Trouble}.
 */
public final class OutcomeMapper {

    private final boolean softBounce;
    private final DelaySchedule schedule;

    OutcomeMapper(boolean softBounce, DelaySchedule schedule) {
        this.softBounce = softBounce;
        this.schedule = schedule;
    }

    /** The verdict James acts on, for a recipient with {@code retriesSoFar} retries already scheduled. */
    Verdict map(Verdict verdict, int retriesSoFar) {
        Verdict effective = softBounce ? Trouble.softened(verdict) : verdict;
        return retriesSoFar < schedule.maxRetries() ? effective : Trouble.givenUp(effective);
    }
}
