package dev.jameslmtp.cli;

import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Fate;

/**
 * The exit statuses of the {@code lmtp} command, from {@code sysexits.h}, and the one rule that
 * turns a {@link DeliveryResult} into one of them:
 *
 * <ol>
 *   <li>{@value #OK} only when every recipient was delivered;</li>
 *   <li>{@value #TEMPFAIL} (EX_TEMPFAIL) when any recipient failed temporarily, which includes a
 *   server that cannot be reached (connection refused or timed out: 4.4.1);</li>
 *   <li>otherwise {@value #NOUSER} (EX_NOUSER) when every failure was an unknown user
 *   (enhanced status 5.1.x), else {@value #UNAVAILABLE} (EX_UNAVAILABLE), which includes a
 *   server that refuses the session with a 5xx greeting.</li>
 * </ol>
 */
final class ExitStatus {

    static final int OK = 0;
    static final int USAGE = 64;
    static final int NOINPUT = 66;
    static final int NOUSER = 67;
    static final int UNAVAILABLE = 69;
    static final int SOFTWARE = 70;
    static final int IOERR = 74;
    static final int TEMPFAIL = 75;

    private ExitStatus() {
    }

    static int of(DeliveryResult result) {
        if (result.allDelivered()) {
            return OK;
        }
        if (!result.positions(Fate.DEFERRED).isEmpty()) {
            return TEMPFAIL;
        }
        boolean allUnknownUsers = result.verdicts().stream().filter(verdict -> verdict.fate() == Fate.BOUNCED)
                .allMatch(verdict -> verdict.status().subject() == 1);
        return allUnknownUsers ? NOUSER : UNAVAILABLE;
    }
}
