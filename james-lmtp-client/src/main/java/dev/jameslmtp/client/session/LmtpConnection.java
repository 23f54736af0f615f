package dev.jameslmtp.client.session;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.client.Content;
import dev.jameslmtp.client.ContentInfo;
import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.Envelope;
import dev.jameslmtp.client.LmtpConnectException;
import dev.jameslmtp.client.MeasuredContent;
import dev.jameslmtp.client.OrcptPolicy;
import dev.jameslmtp.client.Origin;
import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.OutcomeListener;
import dev.jameslmtp.client.outcome.RecipientLedger;
import dev.jameslmtp.client.outcome.Trouble;
import dev.jameslmtp.client.wire.Command;
import dev.jameslmtp.client.wire.LmtpProtocolException;
import dev.jameslmtp.client.wire.Reply;
import dev.jameslmtp.client.wire.Transcript;
import dev.jameslmtp.client.wire.Wire;

/**
 * An open LMTP session: greeted, LHLO answered (after STARTTLS when TLS is used), authenticated when
 * SASL applies, ready for transactions. {@link #capabilities()} are those of the last LHLO.
 *
 * <p>{@link #deliver} runs one transaction (MAIL, RCPT per recipient, DATA, content, final dot)
 * and never throws for server or network trouble: every recipient comes back with exactly one
 * outcome. When the server offers PIPELINING, MAIL, every RCPT and DATA go out in one write (in
 * windows of {@value #PIPELINE_WINDOW} commands for very long recipient lists, RFC 2920 §3.1).
 * The content is sent only when at least one RCPT was accepted. After the dot, one reply is read
 * per accepted RCPT, in RCPT order, matched by position, duplicates included (RFC 2033 §4.2).
 * To a server offering CHUNKING (unless {@code useChunking} is off) the content goes in BDAT
 * chunks instead of DATA, the first in the write of MAIL and the RCPTs ({@link BdatTransfer}).
 * A second transaction on the same connection starts with RSET, sent in the same pipelined
 * write as MAIL when the server offers PIPELINING (RFC 2920 §3.1), else as its own round trip.
 *
 * <p>After a timeout, a lost connection, a protocol error or a 421 the connection is no longer
 * usable ({@link #isUsable()}); the recipients without an outcome are temporary failures.
 * Not thread-safe: one transaction at a time.
 */
public final class LmtpConnection implements Closeable {

    static final int PIPELINE_WINDOW = 100;

    private static final Command RSET = Command.of("RSET");
    private static final Command DATA = Command.of("DATA");
    private static final Command QUIT = Command.of("QUIT");

    private static final Logger LOGGER = LoggerFactory.getLogger(LmtpConnection.class);

    private final Wire wire;
    private final String peer;
    private final String serverName;
    /** Those of the last LHLO (the one after an XCLIENT, if any). */
    private Capabilities capabilities;
    private final String lhloName;
    /** Whether an XCLIENT gave this session the origin of one mail: then it serves no other. */
    private boolean carriesOrigin;
    private final SessionInfo session;
    private final boolean skipQuitResponse;
    /** Whether ORCPT goes on RCPT TO although the store does not offer DSN ({@link OrcptPolicy}, decided on its greeting). */
    private final boolean orcptWithoutDsn;
    /** BDAT to a server that offers CHUNKING, else DATA. */
    private final boolean useChunking;
    /** The BDAT chunks' buffer, made at the first BDAT transaction and reused. */
    private byte[] chunkBuffer;
    private boolean usable = true;
    private int transactions;

    private LmtpConnection(Wire wire, Reply lhlo, SessionInfo session, boolean skipQuitResponse, boolean orcptWithoutDsn,
                           String lhloName, boolean useChunking) {
        this.wire = wire;
        this.useChunking = useChunking;
        this.lhloName = lhloName;
        this.orcptWithoutDsn = orcptWithoutDsn;
        this.session = session;
        this.peer = wire.peer();
        this.serverName = firstWord(lhlo.lines().get(0));
        this.capabilities = Capabilities.from(lhlo);
        this.skipQuitResponse = skipQuitResponse;
    }

    private static String firstWord(String line) {
        String text = line.strip();
        int end = 0;
        while (end < text.length() && !Character.isWhitespace(text.charAt(end))) {
            end++;
        }
        return text.substring(0, end);
    }

    /** Opens a session with {@code opener} (connect, greeting, LHLO, STARTTLS, AUTH). */
    public static LmtpConnection open(SessionOpener opener, Destination destination, boolean skipQuitResponse, OrcptPolicy orcpt,
                                      boolean useChunking) throws LmtpConnectException {
        SessionOpener.Opened opened = opener.open(destination);
        return new LmtpConnection(opened.wire(), opened.lhlo(), opened.info(), skipQuitResponse, orcpt.withoutDsn(opened.greeting()),
                opener.lhloName(), useChunking);
    }

    /** Runs one transaction. Every recipient of {@code envelope} gets exactly one outcome. */
    public DeliveryResult deliver(Envelope envelope, Content content) {
        return deliver(envelope, content, OutcomeListener.NONE);
    }

    /**
     * Runs one transaction, telling {@code listener} each reply after the dot and each RCPT refusal
     * as it is read. Every recipient of {@code envelope} gets exactly one outcome.
     */
    public DeliveryResult deliver(Envelope envelope, Content content, OutcomeListener listener) {
        RecipientLedger ledger = new RecipientLedger(envelope, listener);
        if (!usable) {
            ledger.decideRemaining(Trouble.ofException(Stage.RSET, peer, new IOException("connection is no longer usable")));
            return ledger.result(peer);
        }
        boolean reset = transactions++ > 0;
        try {
            if (envelope.origin().isPresent() && capabilities.has("XCLIENT")) {
                passOrigin(envelope.origin().get());
            }
            ContentInfo info;
            try {
                info = needsMeasure() ? MeasuredContent.of(content) : null;
            } catch (IOException e) {
                ledger.decideRemaining(Trouble.ofException(Stage.MAIL, peer, e));
                return ledger.result(peer);
            }
            if (!TransactionCommands.refusedBeforeSending(capabilities, peer, envelope, info, ledger)) {
                transact(envelope, content, info, ledger, reset);
            }
        } catch (ServerClosingException e) {
            close();
            ledger.decideRemaining(Trouble.ofReply(e.stage, e.reply));
        } catch (IOException e) {
            Stage stage = wire.stage();
            close();
            if (stage == Stage.DOT) {
                LOGGER.warn("{}: {} recipient(s) without a reply after the final dot; they will be retried, and the message "
                        + "may be delivered to them more than once", peer, ledger.undecided().size());
            }
            ledger.decideRemaining(Trouble.ofException(stage, peer, e));
        }
        return ledger.result(peer);
    }

    /**
     * XCLIENT with the mail's origin (the attributes the server named), then LHLO again, as the
     * server greets anew: from then on the store sees the original client. A refusal other than
     * 421 is logged and the transaction goes on without it; a session that took it is given to no
     * other mail ({@link #carriesOrigin()}).
     */
    private void passOrigin(Origin origin) throws IOException {
        Optional<Capabilities> greetedAnew = Xclient.pass(wire, origin, capabilities, lhloName, peer);
        greetedAnew.ifPresent(lhlo -> capabilities = lhlo);
        carriesOrigin |= greetedAnew.isPresent();
    }

    /** Whether an XCLIENT gave this session one mail's origin: it must not be cached for another. */
    public boolean carriesOrigin() {
        return carriesOrigin;
    }

    /** The size and 8-bit scan is needed only for what the server offers: SIZE and 8BITMIME. */
    private boolean needsMeasure() {
        return capabilities.size() || capabilities.eightBitMime();
    }

    /**
     * MAIL, RCPT per recipient and DATA (or the first BDAT chunk, when the server offers CHUNKING
     * and {@code useChunking} allows it: {@link BdatTransfer}), preceded by RSET when {@code reset}:
     * in pipelined groups when the server offers PIPELINING (the RSET travels with MAIL and its
     * reply is read first), else one command per round trip. Replies are matched to commands by position.
     */
    private void transact(Envelope envelope, Content content, ContentInfo info, RecipientLedger ledger, boolean reset)
            throws IOException {
        boolean pipelining = capabilities.pipelining();
        if (reset && !pipelining) {
            resetTransaction();
        }
        List<Integer> recipients = ledger.undecided();
        int first = reset && pipelining ? 1 : 0; // position of MAIL in the commands
        List<Command> commands = new ArrayList<>(recipients.size() + 2 + first);
        if (first == 1) {
            commands.add(RSET);
        }
        commands.add(TransactionCommands.mail(capabilities, envelope, recipients, info));
        for (int index : recipients) {
            commands.add(TransactionCommands.rcpt(capabilities, orcptWithoutDsn, envelope.recipients().get(index)));
        }
        if (useChunking && capabilities.chunking()) {
            chunkBuffer = BdatTransfer.buffer(chunkBuffer, info);
            new BdatTransfer(wire, chunkBuffer, ledger, this::reset).send(content, (bdat, chunk, octets) -> {
                commands.add(bdat);
                return open(commands, first, recipients, ledger, chunk, octets);
            });
            return;
        }
        commands.add(DATA);
        List<Integer> accepted = open(commands, first, recipients, ledger, null, 0);
        if (accepted != null) {
            DataTransfer.send(wire, readReply(Stage.DATA), content, accepted, ledger);
        }
    }

    /**
     * Sends {@code commands}, whose last is DATA or a BDAT (then followed by the {@code octets} of
     * {@code chunk}), and reads every reply but the last command's, deciding the refused recipients.
     * Returns the accepted recipients, or null when the last command was not sent (one command per
     * round trip: MAIL or every RCPT was refused; RFC 2033 §4.2).
     */
    private List<Integer> open(List<Command> commands, int first, List<Integer> recipients, RecipientLedger ledger,
                               byte[] chunk, int octets) throws IOException {
        List<Integer> accepted = new ArrayList<>(recipients.size());
        Reply mailReply = null;
        int window = capabilities.pipelining() ? PIPELINE_WINDOW : 1;
        int last = commands.size() - 1;
        for (int sent = 0; sent < commands.size(); ) {
            int end = Math.min(commands.size(), sent + window + (sent == 0 ? first : 0));
            wire.stage(sent < first ? Stage.RSET : sent == first ? Stage.MAIL
                    : sent == last ? (chunk == null ? Stage.DATA : Stage.BDAT) : Stage.RCPT);
            if (end == commands.size() && chunk != null) {
                wire.send(commands.subList(sent, end), chunk, octets);
            } else {
                wire.send(commands.subList(sent, end));
            }
            for (int k = sent; k < Math.min(end, last); k++) {
                if (k < first) {
                    checkReset(readReply(Stage.RSET));
                } else if (k == first) {
                    mailReply = readReply(Stage.MAIL);
                    if (!mailReply.isPositive() && window == 1) {
                        ledger.decideRemaining(Trouble.ofReply(Stage.MAIL, mailReply));
                        return null;
                    }
                } else {
                    int index = recipients.get(k - first - 1);
                    Reply rcptReply = readReply(Stage.RCPT);
                    if (!mailReply.isPositive()) {
                        ledger.decide(index, Trouble.ofReply(Stage.MAIL, mailReply));
                    } else if (rcptReply.isPositive()) {
                        accepted.add(index);
                    } else {
                        ledger.decideOnReply(index, Trouble.ofReply(Stage.RCPT, rcptReply));
                    }
                }
            }
            sent = end;
            if (window == 1 && sent == last && accepted.isEmpty()) {
                return null;
            }
        }
        return accepted;
    }

    /** Reads a reply; a 421 means the server is closing and ends the transaction. */
    private Reply readReply(Stage stage) throws IOException {
        return ServerClosingException.read(wire, stage);
    }

    private void resetTransaction() throws IOException {
        wire.stage(Stage.RSET);
        wire.send(RSET);
        checkReset(readReply(Stage.RSET));
    }

    private static void checkReset(Reply reply) throws LmtpProtocolException {
        if (!reply.isPositive()) {
            throw new LmtpProtocolException("RSET was answered " + Transcript.neutralise(reply.toString()));
        }
    }

    /**
     * The verbs, one command at a time outside {@link #deliver}, in go-smtp's manner: {@code MAIL
     * FROM:<reversePath>}, {@code RCPT TO:<forwardPath>}, {@code RSET}; each returns the server's
     * reply whatever its code (the recipient probe's conversation). Addresses must be wire-safe.
     */
    public Reply mail(String reversePath) throws IOException {
        return command(Stage.MAIL, "MAIL FROM:<" + reversePath + ">");
    }

    public Reply rcpt(String forwardPath) throws IOException {
        return command(Stage.RCPT, "RCPT TO:<" + forwardPath + ">");
    }

    public Reply reset() throws IOException {
        return command(Stage.RSET, "RSET");
    }

    /** The stage this session is at, or was at when it failed. */
    public Stage stage() {
        return wire.stage();
    }

    private Reply command(Stage stage, String line) throws IOException {
        wire.stage(stage);
        wire.send(Command.of(line));
        return wire.read();
    }

    /** The extensions the server listed in its LHLO reply. */
    public Capabilities capabilities() {
        return capabilities;
    }

    /** TLS protocol and cipher, SASL mechanism and user of this session. */
    public SessionInfo session() {
        return session;
    }

    /** The name the server gave in the first line of its LHLO reply. */
    public String serverName() {
        return serverName;
    }

    /** The destination this connection talks to, as text. */
    public String peer() {
        return peer;
    }

    /** False after a timeout, lost connection, protocol error or 421: close it, do not reuse it. */
    public boolean isUsable() {
        return usable && wire.isOpen();
    }

    /** How many transactions were started on this connection. */
    public int transactions() {
        return transactions;
    }

    /**
     * Sends QUIT, waits for its reply unless told not to (Postfix's {@code lmtp_skip_quit_response}),
     * within the QUIT timeout, then closes. Failures here change nothing for delivered mail and are
     * ignored. Use it where waiting is wanted (the {@code lmtp} command, after its report); a
     * delivery that must not wait uses {@link #quitWithoutWaiting()}.
     */
    public void quit() {
        if (sendQuit() && !skipQuitResponse) {
            awaitQuitReply();
        }
        close();
    }

    /**
     * Sends QUIT and returns at once: the outcomes of this connection's transactions are already
     * known, and a server slow to answer QUIT, or one that never does, must not hold them back. The
     * reply, when it is awaited at all ({@code skipQuitResponse} false), is read on a background
     * thread within the QUIT timeout; then the socket is closed. The transcript may so receive
     * the QUIT reply from that thread after this method has returned.
     */
    public void quitWithoutWaiting() {
        if (sendQuit() && !skipQuitResponse) {
            QuitWaiter.submit(() -> {
                awaitQuitReply();
                close();
            }, this::close);
        } else {
            close();
        }
    }

    /** True when QUIT went out. */
    private boolean sendQuit() {
        if (!isUsable()) {
            return false;
        }
        try {
            wire.stage(Stage.QUIT);
            wire.send(QUIT);
            return true;
        } catch (IOException e) {
            LOGGER.debug("{}: QUIT failed: {}", peer, e.toString());
            return false;
        }
    }

    private void awaitQuitReply() {
        try {
            wire.read();
        } catch (IOException e) {
            LOGGER.debug("{}: no reply to QUIT: {}", peer, e.toString());
        }
    }

    /** Closes the socket without QUIT. */
    @Override
    public void close() {
        usable = false;
        wire.close();
    }
}
