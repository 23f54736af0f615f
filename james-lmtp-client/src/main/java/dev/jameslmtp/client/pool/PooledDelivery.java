package dev.jameslmtp.client.pool;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.client.Content;
import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.Envelope;
import dev.jameslmtp.client.LmtpClient;
import dev.jameslmtp.client.LmtpConnectException;
import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.OutcomeListener;
import dev.jameslmtp.client.outcome.Trouble;
import dev.jameslmtp.client.outcome.Verdict;
import dev.jameslmtp.client.session.LmtpConnection;
import dev.jameslmtp.client.session.Stage;
import dev.jameslmtp.client.wire.EnhancedStatus;
import dev.jameslmtp.client.wire.Transcript;

/**
 * One transaction to one server through a {@link ConnectionPool}: on a cached connection when
 * there is one, else on a new one; afterwards the connection goes back to the pool or is closed
 * with QUIT (not waiting for its reply).
 *
 * <p>The RSET that opens a transaction on a reused connection is the probe (its own timeout,
 * {@link Stage#RSET}). When a cached connection fails before the content is sent (the probe fails,
 * or the connection is lost or closed with 421 before the 354), nothing was delivered, so the
 * whole transaction runs again, once, on a fresh connection, and the failure counts against no
 * recipient. After DATA it is not repeated: recipients without a reply are temporary failures, as
 * on any connection.
 *
 * <p>A connection goes back to the pool only when it is still open and the transaction ended
 * without a protocol error (a timeout, a lost connection or a 421 close it already). Never throws
 * for network or server trouble: every recipient gets exactly one outcome. Thread-safe.
 */
public final class PooledDelivery {

    private static final Logger LOGGER = LoggerFactory.getLogger(PooledDelivery.class);

    private final ConnectionPool pool;
    private final PoolLimits limits;
    private final ReuseCounter counter;
    private final LeaseListener leases;
    /** The servers whose last session offered DSN (RFC 3461): NOTIFY, ORCPT, RET and ENVID went to them. */
    private final Set<Destination> offeringDsn = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public PooledDelivery(ConnectionPool pool, PoolLimits limits, ReuseCounter counter) {
        this(pool, limits, counter, LeaseListener.NONE);
    }

    public PooledDelivery(ConnectionPool pool, PoolLimits limits, ReuseCounter counter, LeaseListener leases) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.counter = Objects.requireNonNull(counter, "counter");
        this.leases = Objects.requireNonNull(leases, "leases");
    }

    /** One transaction of {@code envelope} on {@code server}; one outcome per recipient. */
    public DeliveryResult deliver(LmtpClient client, Destination server, Envelope envelope, Content content) {
        return deliver(client, server, envelope, content, OutcomeListener.NONE);
    }

    /**
     * As {@link #deliver(LmtpClient, Destination, Envelope, Content)}, telling {@code listener} each
     * recipient's reply as it is read. A RCPT refusal on a cached connection is told only once the
     * transaction is known not to run again (it would be asked again on the fresh connection).
     */
    public DeliveryResult deliver(LmtpClient client, Destination server, Envelope envelope, Content content, OutcomeListener listener) {
        return deliver(client, client.transcript(), server, envelope, content, listener);
    }

    /** As {@link #deliver(LmtpClient, Destination, Envelope, Content, OutcomeListener)}, writing the conversation to {@code transcript}. */
    public DeliveryResult deliver(LmtpClient client, Transcript transcript, Destination server, Envelope envelope, Content content,
                                  OutcomeListener listener) {
        ConnectionKey key = ConnectionKey.of(client, server);
        Optional<PooledConnection> cached = limits.enabled() ? pool.take(key) : Optional.empty();
        if (cached.isPresent()) {
            PooledConnection connection = cached.get();
            connection.transcript.lendTo(transcript);
            leases.leased(connection.connection);
            Map<Integer, Verdict> refusals = new LinkedHashMap<>();
            DeliveryResult result = connection.connection.deliver(envelope, content, (index, verdict) -> {
                if (verdict.stage() == Stage.DOT) {
                    listener.replied(index, verdict);
                } else {
                    refusals.put(index, verdict);
                }
            });
            counter.transaction(true);
            noteDsn(server, connection.connection);
            if (!failedBeforeContent(connection.connection, result)) {
                refusals.forEach(listener::replied);
                giveBack(connection, result);
                return result;
            }
            leases.returned(connection.connection);
            connection.connection.close();
            LOGGER.debug("{}: cached connection failed before DATA ({}); once more on a new connection", server,
                    result.verdict(0).text());
        }
        LeaseTranscript lease = new LeaseTranscript(transcript);
        PooledConnection fresh;
        try {
            fresh = new PooledConnection(key, client.connect(server, lease), lease, pool.now());
        } catch (LmtpConnectException e) {
            return everyone(envelope, e.verdict(), server);
        }
        leases.leased(fresh.connection);
        DeliveryResult result = fresh.connection.deliver(envelope, content, listener);
        counter.transaction(false);
        noteDsn(server, fresh.connection);
        giveBack(fresh, result);
        return result;
    }

    /**
     * Whether the last session with {@code server} offered DSN: then NOTIFY, ORCPT, RET and ENVID
     * went to it with the mail, and success notifications are the store's to send (RFC 3461 §5.2).
     */
    public boolean offersDsn(Destination server) {
        return offeringDsn.contains(server);
    }

    private void noteDsn(Destination server, LmtpConnection connection) {
        if (connection.capabilities().dsn()) {
            offeringDsn.add(server);
        } else {
            offeringDsn.remove(server);
        }
    }

    /** The connection broke and no byte of content was sent: nothing was delivered. */
    static boolean failedBeforeContent(LmtpConnection connection, DeliveryResult result) {
        return !connection.isUsable() && Trouble.endedBeforeContent(result);
    }

    private void giveBack(PooledConnection connection, DeliveryResult result) {
        leases.returned(connection.connection);
        boolean clean = true;
        for (Verdict verdict : result.verdicts()) {
            clean &= !verdict.status().equals(EnhancedStatus.PROTOCOL_ERROR);
        }
        if (!clean || connection.connection.carriesOrigin() || !pool.offer(connection, limits)) {
            connection.connection.quitWithoutWaiting(); // the outcomes are known: QUIT must not delay them
        }
    }

    static DeliveryResult everyone(Envelope envelope, Verdict verdict, Destination server) {
        return DeliveryResult.sameFor(server.toString(), envelope, verdict);
    }
}
