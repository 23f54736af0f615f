package dev.jameslmtp.client;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.outcome.Trouble;
import dev.jameslmtp.client.outcome.Verdict;
import dev.jameslmtp.client.session.LmtpConnection;
import dev.jameslmtp.client.session.Stage;
import dev.jameslmtp.client.wire.ConversationDeadline;
import dev.jameslmtp.client.wire.Reply;
import dev.jameslmtp.client.wire.Transcript;
import dev.jameslmtp.client.wire.WireSafety;

/**
 * Asks an LMTP server whether it would take mail for one address, without sending any: a session
 * of its own (opened by {@link LmtpClient#connect}, so with the client's LHLO name, timeouts and
 * transcript), then {@code MAIL FROM:<>}, {@code RCPT TO:<address>}, {@code RSET} and
 * {@code QUIT}. This is Postfix's address verification probe (verify(8)) without the queue.
 *
 * <p>{@link #verify} never throws for server or network trouble. Its {@link Verdict}:
 * <ul>
 *   <li>{@link Fate#DELIVERED} ("the store accepts the address"): a 2xx to RCPT;</li>
 *   <li>{@link Fate#BOUNCED}: a 5xx to RCPT, with the server's reply and sanitised
 *   status (e.g. {@code 550 5.1.1});</li>
 *   <li>{@link Fate#DEFERRED}: everything else, which says nothing about the
 *   address: a 4xx to RCPT, the store unreachable, a timeout, a refused greeting, LHLO or
 *   {@code MAIL FROM:<>} (even a 5xx there: it is the server refusing probes, not the address),
 *   or a reply that makes no sense. A 5xx there is turned into 4xx / 4.x.x.</li>
 * </ul>
 *
 * <p>Time: each reply is bounded by its stage's timeout; with a {@code total} (see
 * {@link #RecipientProbe(LmtpClient, Duration, ScheduledExecutorService)}) the whole probe, every
 * server of a list, connect, TLS handshakes and AUTH included, ends when {@code total} has passed:
 * its sockets are closed ({@link ConversationDeadline}) and the verdict is a temporary {@code 4.4.2}.
 * QUIT's reply is never awaited on the caller's thread ({@link LmtpConnection#quitWithoutWaiting}).
 * Thread-safe: every call opens its own session.
 */
public final class RecipientProbe {

    private static final Logger LOGGER = LoggerFactory.getLogger(RecipientProbe.class);

    private final LmtpClient client;
    private final Optional<Duration> total;
    private final ScheduledExecutorService timer;
    private final Set<ConversationDeadline> inProgress = ConcurrentHashMap.newKeySet();
    private volatile boolean aborted;

    /** Probes bounded by the client's per-stage timeouts only. */
    public RecipientProbe(LmtpClient client) {
        this.client = Objects.requireNonNull(client, "client");
        this.total = Optional.empty();
        this.timer = null;
    }

    /**
     * Probes that also end {@code total} after they start, whatever the per-stage timeouts allow;
     * {@code timer} (owned by the caller) closes the sockets of a probe past its total.
     */
    public RecipientProbe(LmtpClient client, Duration total, ScheduledExecutorService timer) {
        this.client = Objects.requireNonNull(client, "client");
        if (Objects.requireNonNull(total, "total").isNegative() || total.isZero()) {
            throw new IllegalArgumentException("total <= 0: " + total);
        }
        this.total = Optional.of(total);
        this.timer = Objects.requireNonNull(timer, "timer");
    }

    /**
     * True when {@code address} can go on the wire as {@code RCPT TO:<address>}: no control
     * character, no angle bracket, at most 256 characters ({@link WireSafety#requireAddress}).
     * {@link #verify} throws for any other.
     */
    public static boolean canSend(String address) {
        try {
            WireSafety.requireAddress("address", Objects.requireNonNull(address, "address"));
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Probes {@code address} at {@code destination}.
     *
     * @throws IllegalArgumentException when the address cannot go on the wire (see {@link #canSend})
     */
    public Verdict verify(Destination destination, String address) {
        return verify(new DestinationList(List.of(Objects.requireNonNull(destination, "destination"))), address);
    }

    /**
     * Probes the servers of {@code servers} in order, as a delivery fails over: a server that
     * cannot be reached, greets negatively, or closes the connection (421, or lost) before
     * answering the RCPT is passed over for the next one; the first server's answer to the RCPT,
     * or the last server's failure, stands. The total, when there is one, covers the whole list.
     *
     * @throws IllegalArgumentException when the address cannot go on the wire (see {@link #canSend})
     */
    public Verdict verify(DestinationList servers, String address) {
        Objects.requireNonNull(servers, "servers");
        WireSafety.requireAddress("address", Objects.requireNonNull(address, "address"));
        if (total.isEmpty()) {
            return verifyInTurn(servers.servers(), address, Optional.empty());
        }
        try (ConversationDeadline deadline = ConversationDeadline.arm(total.get(), timer)) {
            inProgress.add(deadline);
            try {
                Verdict verdict = verifyInTurn(servers.servers(), address, Optional.of(deadline));
                return deadline.passed() && verdict.fate() == Fate.DEFERRED ? timedOut(verdict) : verdict;
            } finally {
                inProgress.remove(deadline);
            }
        }
    }

    /**
     * Ends every probe in progress now, as if its total had passed (their sockets are closed):
     * for an owner that shuts down. Only probes with a total are reached.
     */
    public void abortAll() {
        aborted = true;
        inProgress.forEach(ConversationDeadline::expire);
    }

    private Verdict verifyInTurn(List<Destination> list, String address, Optional<ConversationDeadline> deadline) {
        Verdict verdict = null;
        for (int i = 0; i < list.size(); i++) {
            verdict = verifyAt(list.get(i), address);
            if (!Trouble.serverFailed(verdict) || deadline.map(ConversationDeadline::passed).orElse(false)) {
                return verdict;
            }
            if (i + 1 < list.size()) {
                LOGGER.info("{}: recipient probe moves on to {}: {}", list.get(i), list.get(i + 1), verdict.text());
            }
        }
        return verdict;
    }

    private Verdict verifyAt(Destination destination, String address) {
        LmtpConnection connection;
        try {
            connection = client.connect(destination);
        } catch (LmtpConnectException e) {
            return Trouble.asTemporary(e.verdict());
        }
        try {
            return converse(connection, address);
        } catch (IOException e) {
            connection.close();
            return Trouble.ofException(connection.stage(), connection.peer(), e);
        } finally {
            connection.quitWithoutWaiting();
        }
    }

    private Verdict timedOut(Verdict verdict) {
        String why = aborted ? "recipient probe ended by a shutdown"
                : "recipient probe took longer than its total of " + total.orElseThrow().toMillis() + " ms";
        return Trouble.probeEnded(verdict.stage(), why);
    }

    private static Verdict converse(LmtpConnection connection, String address) throws IOException {
        Reply mail = connection.mail("");
        if (!mail.isPositive()) {
            LOGGER.warn("{} refused the null sender of a recipient probe: {}", connection.peer(), Transcript.neutralise(mail.toString()));
            return Trouble.asTemporary(Trouble.ofReply(Stage.MAIL, mail));
        }
        Reply rcpt = connection.rcpt(address);
        reset(connection);
        if (rcpt.isPositive()) {
            return new Verdict(Fate.DELIVERED, Stage.RCPT, Optional.of(rcpt), rcpt.status(), Transcript.neutralise(rcpt.text()));
        }
        return Trouble.ofReply(Stage.RCPT, rcpt);
    }

    /** RSET before QUIT, as Postfix's probes do; the RCPT answer is already known, so a failure here only closes. */
    private static void reset(LmtpConnection connection) {
        try {
            connection.reset();
        } catch (IOException e) {
            LOGGER.debug("{}: RSET after a recipient probe failed: {}", connection.peer(), e.toString());
            connection.close();
        }
    }
}
