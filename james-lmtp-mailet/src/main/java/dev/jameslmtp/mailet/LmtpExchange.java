package dev.jameslmtp.mailet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.jameslmtp.client.Content;
import dev.jameslmtp.client.DeliveryResult;
import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.Envelope;
import dev.jameslmtp.client.LmtpClient;
import dev.jameslmtp.client.LmtpConnectException;
import dev.jameslmtp.client.LmtpConnection;
import dev.jameslmtp.client.Recipient;
import dev.jameslmtp.client.RecipientOutcome;
import dev.jameslmtp.client.Verdict;

/**
 * The LMTP side of an attempt for one destination: the recipients are cut into transactions of
 * at most {@code recipientLimit} (0 = one transaction), sent one after the other on one
 * session. When the session breaks, the next transaction opens a new one; when a session cannot
 * be opened at all, that verdict applies to every recipient not yet sent, without trying again.
 * Returns one verdict per recipient, keyed by the caller's recipient number, as soon as they are
 * known: QUIT is sent without waiting for its reply. The content is measured (size, 8-bit) once
 * for all transactions. Never throws for network or server trouble (the client does not). Each
 * open session is registered in {@link OpenSessions}, so that shutdown can close it under a
 * blocked read; after that, no new session is opened and the recipients not yet sent are deferred
 * ({@link OutcomeMapper#shuttingDown()}).
 */
final class LmtpExchange {

    /** A recipient of the mail, by its position in the mail, ready for the wire. */
    record Numbered(int number, Recipient recipient) {
    }

    private final LmtpClient client;
    private final int recipientLimit;
    private final OpenSessions sessions;

    LmtpExchange(LmtpClient client, int recipientLimit, OpenSessions sessions) {
        this.client = client;
        this.recipientLimit = recipientLimit;
        this.sessions = sessions;
    }

    Map<Integer, Verdict> deliver(Destination destination, String sender, List<Numbered> recipients, Optional<String> ret,
                                  Optional<String> envid, Content content) {
        Content measured = Content.measuredOnce(content);
        Map<Integer, Verdict> verdicts = new HashMap<>();
        LmtpConnection connection = null;
        Verdict connectFailure = null;
        try {
            for (List<Numbered> transaction : transactions(recipients)) {
                if (connectFailure == null && (connection == null || !connection.isUsable())) {
                    if (connection != null) {
                        sessions.unregister(connection);
                        connection.close();
                        connection = null;
                    }
                    if (sessions.aborted()) {
                        connectFailure = OutcomeMapper.shuttingDown();
                    } else {
                        try {
                            connection = client.connect(destination);
                            sessions.register(connection);
                        } catch (LmtpConnectException e) {
                            connectFailure = e.verdict();
                        }
                    }
                }
                if (connectFailure != null) {
                    for (Numbered numbered : transaction) {
                        verdicts.put(numbered.number(), connectFailure);
                    }
                    continue;
                }
                Envelope envelope = new Envelope(sender, transaction.stream().map(Numbered::recipient).toList(), ret, envid);
                DeliveryResult result = connection.deliver(envelope, measured);
                for (RecipientOutcome outcome : result.outcomes()) {
                    verdicts.put(transaction.get(outcome.index()).number(), outcome.verdict());
                }
            }
        } finally {
            if (connection != null) {
                connection.quitWithoutWaiting(); // the verdicts are known: QUIT must not delay them
                sessions.unregister(connection);
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
