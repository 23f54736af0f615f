package dev.jameslmtp.client.session;

import java.io.Closeable;
import java.io.IOException;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.client.Content;
import dev.jameslmtp.client.ContentInfo;
import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.Envelope;
import dev.jameslmtp.client.LmtpConnectException;
import dev.jameslmtp.client.OrcptPolicy;
import dev.jameslmtp.client.Origin;
import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.OutcomeListener;
import dev.jameslmtp.client.outcome.RecipientLedger;
import dev.jameslmtp.client.outcome.Trouble;
import dev.jameslmtp.client.wire.Command;
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
 * windows of {@value PipelinedTransaction#PIPELINE_WINDOW} commands for very long recipient lists, RFC 2920 §3.1).
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
 *
 * <p>States ({@link State}), and what each method takes:
 * <pre>
 *   READY ──mail() 2xx──▶ MAIL_GIVEN ──rcpt()*, reset() 2xx──▶ READY
 *   READY ──deliver()──▶ READY            (a whole transaction; CLOSED if the connection failed)
 *   any ──quit(), close(), a failed exchange──▶ CLOSED
 * </pre>
 * {@code deliver} and {@code mail} take READY, {@code rcpt} takes MAIL_GIVEN (an
 * {@link IllegalStateException} otherwise: a caller's bug); {@code reset} takes READY or
 * MAIL_GIVEN; in CLOSED the verbs throw {@link IOException} and {@code deliver} makes every
 * recipient a temporary failure.
 */
public final class LmtpConnection implements Closeable {

    private static final Command QUIT = Command.of("QUIT");

    /** Obtained when something is logged: a plain run of the lmtp command sets up no logging. */
    private static Logger log() {
        return LoggerFactory.getLogger(LmtpConnection.class);
    }

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
    /** The transactions' opening, MAIL to DATA or the first BDAT, and what follows. */
    private final PipelinedTransaction transaction;
    private State state = State.READY;
    private int transactions;

    /** Where the session is between commands; see the class comment. */
    public enum State {
        /** No transaction open: {@code deliver} or {@code mail} may begin one. */
        READY,
        /** {@code mail} was accepted: {@code rcpt}, then {@code reset}. */
        MAIL_GIVEN,
        /** Closed, or failed and closed: nothing more is sent. */
        CLOSED
    }

    private LmtpConnection(Wire wire, Reply lhlo, SessionInfo session, boolean skipQuitResponse, boolean orcptWithoutDsn,
                           String lhloName, boolean useChunking) {
        this.wire = wire;
        this.transaction = new PipelinedTransaction(wire, orcptWithoutDsn, useChunking, this::reset);
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
    public static LmtpConnection open(SessionOpener opener, Destination destination, Transcript transcript, boolean skipQuitResponse, OrcptPolicy orcpt,
                                      boolean useChunking) throws LmtpConnectException {
        SessionOpener.Opened opened = opener.open(destination, transcript);
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
        if (state == State.MAIL_GIVEN) {
            throw new IllegalStateException(peer + ": deliver() while a MAIL given by mail() is open; reset() first");
        }
        if (!isUsable()) {
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
                info = needsMeasure() ? transaction.measure(capabilities, content) : null;
            } catch (IOException e) {
                ledger.decideRemaining(Trouble.ofException(Stage.MAIL, peer, e));
                return ledger.result(peer);
            }
            if (!TransactionCommands.refusedBeforeSending(capabilities, peer, envelope, info, ledger)) {
                transaction.run(capabilities, envelope, content, info, ledger, reset);
            }
        } catch (ServerClosingException e) {
            close();
            ledger.decideRemaining(Trouble.ofReply(e.stage, e.reply));
        } catch (IOException e) {
            Stage stage = wire.stage();
            close();
            if (stage == Stage.DOT) {
                log().warn("{}: {} recipient(s) without a reply after the final dot; they will be retried, and the message "
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

    /**
     * The size and 8-bit measure is needed only for what the server offers: SIZE and 8BITMIME;
     * the content is then read ahead, whole when it fits ({@link PipelinedTransaction#measure}).
     */
    private boolean needsMeasure() {
        return capabilities.size() || capabilities.eightBitMime();
    }

    /**
     * The verbs, one command at a time outside {@link #deliver}, in go-smtp's manner: {@code MAIL
     * FROM:<reversePath>}, {@code RCPT TO:<forwardPath>}, {@code RSET}; each returns the server's
     * reply whatever its code (the recipient probe's conversation). Addresses must be wire-safe.
     */
    public Reply mail(String reversePath) throws IOException {
        expect(State.READY, "mail()");
        Reply reply = command(Stage.MAIL, "MAIL FROM:<" + reversePath + ">");
        if (reply.isPositive()) {
            state = State.MAIL_GIVEN;
        }
        return reply;
    }

    public Reply rcpt(String forwardPath) throws IOException {
        expect(State.MAIL_GIVEN, "rcpt()");
        return command(Stage.RCPT, "RCPT TO:<" + forwardPath + ">");
    }

    public Reply reset() throws IOException {
        if (state == State.CLOSED) {
            throw new IOException(peer + ": the connection is closed");
        }
        Reply reply = command(Stage.RSET, "RSET");
        if (reply.isPositive()) {
            state = State.READY;
        }
        return reply;
    }

    /** Where the session is now. */
    public State state() {
        return isUsable() ? state : State.CLOSED;
    }

    private void expect(State expected, String verb) throws IOException {
        if (state() == State.CLOSED) {
            throw new IOException(peer + ": " + verb + " on a closed connection");
        }
        if (state != expected) {
            throw new IllegalStateException(peer + ": " + verb + " in state " + state + ", not " + expected);
        }
    }

    /** The stage this session is at, or was at when it failed. */
    public Stage stage() {
        return wire.stage();
    }

    /** One command and its reply; a failed exchange closes the connection. */
    private Reply command(Stage stage, String line) throws IOException {
        try {
            wire.stage(stage);
            wire.send(Command.of(line));
            return wire.read();
        } catch (IOException e) {
            close();
            throw e;
        }
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
        return state != State.CLOSED && wire.isOpen();
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
            log().debug("{}: QUIT failed: {}", peer, e.toString());
            return false;
        }
    }

    private void awaitQuitReply() {
        try {
            wire.read();
        } catch (IOException e) {
            log().debug("{}: no reply to QUIT: {}", peer, e.toString());
        }
    }

    /** Closes the socket without QUIT. */
    @Override
    public void close() {
        state = State.CLOSED;
        wire.close();
    }
}
