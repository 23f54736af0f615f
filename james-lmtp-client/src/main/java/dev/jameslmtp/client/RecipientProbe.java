package dev.jameslmtp.client;

import java.io.IOException;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks an LMTP server whether it would take mail for one address, without sending any: a session
 * of its own (opened by {@link LmtpClient#connect}, so with the client's LHLO name, timeouts and
 * transcript), then {@code MAIL FROM:<>}, {@code RCPT TO:<address>}, {@code RSET} and
 * {@code QUIT}. This is Postfix's address verification probe (verify(8)) without the queue.
 *
 * <p>{@link #verify} never throws for server or network trouble. Its {@link Verdict}:
 * <ul>
 *   <li>{@link Disposition#DELIVERED} ("the store accepts the address"): a 2xx to RCPT;</li>
 *   <li>{@link Disposition#PERMANENT_FAILURE}: a 5xx to RCPT, with the server's reply and sanitised
 *   status (e.g. {@code 550 5.1.1});</li>
 *   <li>{@link Disposition#TEMPORARY_FAILURE}: everything else, which says nothing about the
 *   address: a 4xx to RCPT, the store unreachable, a timeout, a refused greeting, LHLO or
 *   {@code MAIL FROM:<>} (even a 5xx there: it is the server refusing probes, not the address),
 *   or a reply that makes no sense. A 5xx there is turned into 4xx / 4.x.x.</li>
 * </ul>
 * Thread-safe: every call opens its own session.
 */
public final class RecipientProbe {

    private static final Logger LOGGER = LoggerFactory.getLogger(RecipientProbe.class);
    private static final Set<Stage> SESSION = EnumSet.of(Stage.CONNECT, Stage.GREETING, Stage.LHLO);

    private final LmtpClient client;

    public RecipientProbe(LmtpClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    /**
     * Probes {@code address} at {@code destination}.
     *
     * @throws IllegalArgumentException when the address holds characters that cannot go on the wire
     */
    public Verdict verify(Destination destination, String address) {
        Objects.requireNonNull(destination, "destination");
        WireSafety.requireAddress("address", Objects.requireNonNull(address, "address"));
        LmtpConnection connection;
        try {
            connection = client.connect(destination);
        } catch (LmtpConnectException e) {
            return asTemporary(e.verdict());
        }
        try {
            return converse(connection, address);
        } catch (IOException e) {
            connection.close();
            return Trouble.ofException(connection.wire().stage(), connection.peer(), e);
        } finally {
            connection.quit();
        }
    }

    /**
     * Probes the servers of {@code servers} in order, as a delivery fails over: a server that
     * cannot be reached, greets negatively, or closes the connection (421, or lost) before
     * answering the RCPT is passed over for the next one; the first server's answer to the RCPT,
     * or the last server's failure, stands.
     */
    public Verdict verify(DestinationList servers, String address) {
        Objects.requireNonNull(servers, "servers");
        Verdict verdict = null;
        List<Destination> list = servers.servers();
        for (int i = 0; i < list.size(); i++) {
            verdict = verify(list.get(i), address);
            if (!serverFailed(verdict)) {
                return verdict;
            }
            if (i + 1 < list.size()) {
                LOGGER.info("{}: recipient probe moves on to {}: {}", list.get(i), list.get(i + 1), verdict.text());
            }
        }
        return verdict;
    }

    /** The server, not the address, failed: no session, or the session ended before an answer to the RCPT. */
    static boolean serverFailed(Verdict verdict) {
        if (verdict.disposition() != Disposition.TEMPORARY_FAILURE) {
            return false;
        }
        if (SESSION.contains(verdict.stage())) {
            return true;
        }
        return verdict.reply().map(reply -> reply.code() == 421).orElse(verdict.status().equals(EnhancedStatus.CONNECTION_LOST));
    }

    private static Verdict converse(LmtpConnection connection, String address) throws IOException {
        Wire wire = connection.wire();
        wire.stage(Stage.MAIL);
        wire.send(Command.of("MAIL FROM:<>"));
        Reply mail = wire.read();
        if (!mail.isPositive()) {
            LOGGER.warn("{} refused the null sender of a recipient probe: {}", connection.peer(), Transcript.neutralise(mail.toString()));
            return asTemporary(Trouble.ofReply(Stage.MAIL, mail));
        }
        wire.stage(Stage.RCPT);
        wire.send(Command.of("RCPT TO:<" + address + ">"));
        Reply rcpt = wire.read();
        reset(connection);
        if (rcpt.isPositive()) {
            return new Verdict(Disposition.DELIVERED, Stage.RCPT, Optional.of(rcpt), rcpt.status(), Transcript.neutralise(rcpt.text()));
        }
        return Trouble.ofReply(Stage.RCPT, rcpt);
    }

    /** RSET before QUIT, as Postfix's probes do; the RCPT answer is already known, so a failure here only closes. */
    private static void reset(LmtpConnection connection) {
        try {
            Wire wire = connection.wire();
            wire.stage(Stage.RSET);
            wire.send(Command.of("RSET"));
            wire.read();
        } catch (IOException e) {
            LOGGER.debug("{}: RSET after a recipient probe failed: {}", connection.peer(), e.toString());
            connection.close();
        }
    }

    private static Verdict asTemporary(Verdict verdict) {
        if (verdict.disposition() != Disposition.PERMANENT_FAILURE) {
            return verdict;
        }
        return new Verdict(Disposition.TEMPORARY_FAILURE, verdict.stage(), verdict.reply(), verdict.status().asTemporary(),
                verdict.text());
    }
}
