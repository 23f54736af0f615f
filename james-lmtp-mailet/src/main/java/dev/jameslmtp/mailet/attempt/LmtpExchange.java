package dev.jameslmtp.mailet.attempt;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.jameslmtp.client.Content;
import dev.jameslmtp.client.DestinationList;
import dev.jameslmtp.client.Envelope;
import dev.jameslmtp.client.LmtpClient;
import dev.jameslmtp.client.Origin;
import dev.jameslmtp.client.Recipient;
import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.outcome.Trouble;
import dev.jameslmtp.client.outcome.Verdict;
import dev.jameslmtp.client.pool.FailoverDelivery;
import dev.jameslmtp.client.wire.Transcript;
import dev.jameslmtp.mailet.journal.AttemptMarks;

/**
 * The LMTP side of an attempt, one destination at a time (one for every attempt, on the mailet's
 * one client, each exchange writing to its attempt's transcript): the recipients are cut into transactions of
 * at most {@code recipientLimit} (0 = one transaction), each run by {@link FailoverDelivery} on a
 * cached or new connection to the first server of the list that takes it. When no session can be
 * opened at all, that verdict applies to every recipient not yet sent, without trying again.
 * Returns one verdict per recipient, keyed by the caller's recipient number. Never throws for
 * network or server trouble (the client does not). Each connection in use is registered in
 * {@link OpenSessions} (the delivery's lease listener), so that shutdown can close it under a
 * blocked read; after that, no transaction starts and the recipients not yet sent are deferred
 * ({@link Trouble#shuttingDown()}).
 */
public final class LmtpExchange {


    /** A recipient of the mail, by its position in the mail, ready for the wire. */
    record Numbered(int number, Recipient recipient) {
    }

    private final LmtpClient client;
    private final int recipientLimit;
    private final FailoverDelivery delivery;
    private final OpenSessions sessions;

    LmtpExchange(LmtpClient client, int recipientLimit, FailoverDelivery delivery, OpenSessions sessions) {
        this.client = client;
        this.recipientLimit = recipientLimit;
        this.delivery = delivery;
        this.sessions = sessions;
    }

    /**
     * Delivers, writing the conversation to {@code transcript} (the attempt's); each recipient
     * delivered is marked in {@code marks} as its 2xx after the dot is read.
     */
    Map<Integer, Verdict> deliver(Transcript transcript, DestinationList destination, String sender, List<Numbered> recipients, Optional<String> ret,
                                  Optional<String> envid, Optional<Origin> origin, Content content, AttemptMarks marks) {
        Content measured = Content.measuredOnce(content);
        Map<Integer, Verdict> verdicts = new HashMap<>();
        Verdict noSession = null;
        for (List<Numbered> transaction : transactions(recipients)) {
            if (noSession == null && sessions.aborted()) {
                noSession = Trouble.shuttingDown();
            }
            if (noSession != null) {
                for (Numbered numbered : transaction) {
                    verdicts.put(numbered.number(), noSession);
                }
                continue;
            }
            Envelope envelope = new Envelope(sender, transaction.stream().map(Numbered::recipient).toList(), ret, envid, origin);
            DeliveryResult result = delivery.deliver(client, transcript, destination, envelope, measured, (index, verdict) -> {
                if (verdict.delivered()) {
                    marks.mark(transaction.get(index).number(), Fate.DELIVERED);
                }
            });
            for (int i = 0; i < transaction.size(); i++) {
                verdicts.put(transaction.get(i).number(), result.verdict(i));
            }
            if (result.verdicts().stream().allMatch(verdict -> verdict.stage().opensSession())) {
                noSession = result.verdict(0);
            }
        }
        return verdicts;
    }

    private List<List<Numbered>> transactions(List<Numbered> recipients) {
        if (recipientLimit == 0 || recipients.size() <= recipientLimit) {
            return List.of(recipients);
        }
        List<List<Numbered>> transactions = new ArrayList<>();
        for (int start = 0; start < recipients.size(); start += recipientLimit) {
            transactions.add(recipients.subList(start, Math.min(recipients.size(), start + recipientLimit)));
        }
        return transactions;
    }
}
