package dev.jameslmtp.client.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.client.Content;
import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.DestinationList;
import dev.jameslmtp.client.Envelope;
import dev.jameslmtp.client.LmtpClient;
import dev.jameslmtp.client.Recipient;
import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.OutcomeListener;
import dev.jameslmtp.client.outcome.Trouble;
import dev.jameslmtp.client.outcome.Verdict;
import dev.jameslmtp.client.wire.Transcript;

/**
 * One transaction to a {@link DestinationList}: the servers are tried in order (those that failed
 * recently skipped, see {@link FailedServers}). When a server cannot be reached, greets
 * negatively, or closes the connection (421, or lost) before the content was sent, the
 * recipients it did not answer move on to the next server in the same attempt; only the last
 * server's verdict stands for them. A recipient a server answered itself (250, 452, 550 to its
 * RCPT...) keeps that answer, and one that may have received the content never moves: it could
 * be delivered twice. Each outcome a server replied names that server ({@link Verdict#server()}).
 *
 * <p>Every recipient gets exactly one outcome; never throws for network or server trouble.
 * Thread-safe.
 */
public final class FailoverDelivery {

    private static final Logger LOGGER = LoggerFactory.getLogger(FailoverDelivery.class);

    private final PooledDelivery sessions;
    private final FailedServers failedServers;

    public FailoverDelivery(PooledDelivery sessions, FailedServers failedServers) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.failedServers = Objects.requireNonNull(failedServers, "failedServers");
    }

    /** Whether {@code server} reports on the mail itself (it offered DSN): see {@link PooledDelivery#offersDsn}. */
    public boolean serverReportsDsn(Destination server) {
        return sessions.offersDsn(server);
    }

    public DeliveryResult deliver(LmtpClient client, DestinationList destination, Envelope envelope, Content content) {
        return deliver(client, destination, envelope, content, OutcomeListener.NONE);
    }

    /**
     * As {@link #deliver(LmtpClient, DestinationList, Envelope, Content)}, telling {@code listener}
     * each recipient's reply as it is read, indexed in {@code envelope}. A recipient a server
     * answered never moves on, so each is told at most once.
     */
    public DeliveryResult deliver(LmtpClient client, DestinationList destination, Envelope envelope, Content content,
                                  OutcomeListener listener) {
        return deliver(client, client.transcript(), destination, envelope, content, listener);
    }

    /**
     * As {@link #deliver(LmtpClient, DestinationList, Envelope, Content, OutcomeListener)}, writing
     * the conversation to {@code transcript} (an attempt's own) instead of the client's: one client
     * serves every attempt.
     */
    public DeliveryResult deliver(LmtpClient client, Transcript transcript, DestinationList destination, Envelope envelope,
                                  Content content, OutcomeListener listener) {
        List<Destination> servers = failedServers.toTry(destination.servers());
        Verdict[] outcomes = new Verdict[envelope.recipients().size()];
        List<Integer> pending = new ArrayList<>();
        for (int i = 0; i < outcomes.length; i++) {
            pending.add(i);
        }
        for (int s = 0; s < servers.size() && !pending.isEmpty(); s++) {
            Destination server = servers.get(s);
            boolean last = s == servers.size() - 1;
            List<Recipient> recipients = pending.stream().map(envelope.recipients()::get).toList();
            List<Integer> sent = pending;
            DeliveryResult result = sessions.deliver(client, transcript, server,
                    envelope.withRecipients(recipients), content,
                    (index, verdict) -> listener.replied(sent.get(index), verdict.answeredBy(server)));
            List<Integer> moving = new ArrayList<>();
            String why = null;
            for (int i = 0; i < result.verdicts().size(); i++) {
                Verdict outcome = result.verdict(i);
                int index = pending.get(i);
                if (why == null && Trouble.serverFailed(outcome)) {
                    why = outcome.text();
                }
                if (!last && Trouble.serverFailed(outcome)) {
                    moving.add(index);
                } else {
                    outcomes[index] = outcome.answeredBy(server);
                }
            }
            if (why != null) {
                failedServers.failed(server);
            } else {
                failedServers.worked(server);
            }
            if (!moving.isEmpty()) {
                LOGGER.info("{}: {} recipient(s) move on to {}: {}", server, moving.size(), servers.get(s + 1), why);
            }
            pending = moving;
        }
        return new DeliveryResult(destination.toString(), envelope, List.of(outcomes));
    }
}
