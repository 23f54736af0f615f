package dev.jameslmtp.client.outcome;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.Optional;

import dev.jameslmtp.client.ContentException;
import dev.jameslmtp.client.session.Stage;
import dev.jameslmtp.client.wire.EnhancedStatus;
import dev.jameslmtp.client.wire.LmtpProtocolException;
import dev.jameslmtp.client.wire.Reply;
import dev.jameslmtp.client.wire.Transcript;

/**
 * Every failure policy of the client in one place, as Postfix's {@code smtp_trouble.c}: which
 * reply or exception, at which stage, gives which {@link Verdict}.
 *
 * <ul>
 *   <li>A reply of class 4 or 5 fails the recipients it answers, temporarily or permanently, as its
 *   sanitised enhanced status says. A 2xx is a delivery only after the final dot (or after
 *   {@code BDAT n LAST}, read at the same stage); a refused BDAT chunk fails the recipients at BDAT.</li>
 *   <li>A reply that makes no sense where it came (a 3xx or 2xx where a failure or 354 was
 *   expected) is a protocol error: temporary, 4.5.0, with no reply code (the reply is quoted in
 *   the text). Bouncing on a desynchronised conversation could turn a delivery into a bounce.</li>
 *   <li>A 5xx greeting or LHLO reply defers, unless {@code skip5xxGreeting} is off.</li>
 *   <li>Timeouts and lost connections are temporary, 4.4.2 (connect failures 4.4.1); after the
 *   final dot, or once {@code BDAT n LAST} was sent, the text warns that the message may be
 *   delivered more than once.</li>
 *   <li>A local error reading the message is temporary, 4.3.0.</li>
 *   <li>TLS required (level encrypt or verify) but not offered or refused: temporary, 4.7.4;
 *   a failed handshake or certificate check: temporary, 4.7.5.</li>
 *   <li>SASL authentication impossible (no compatible mechanism; {@code requireAuth} and no AUTH
 *   or no credentials) or broken (a bad challenge, a wrong SCRAM server signature): temporary,
 *   4.7.0. Refused by the server: temporary whatever the reply unless soft bounce is off, as
 *   Postfix's {@code lmtp_sasl_auth_soft_bounce}; then a 5xx refusal is permanent.</li>
 * </ul>
 *
 * <p>It also makes the verdicts decided before any LMTP exchange (no route, a bad address, James
 * shutting down, a probe that could not run), answers what a verdict says about the server
 * rather than the recipient ({@link #serverFailed}, {@link #probeBlamesTheStore}, {@link #endedBeforeContent},
 * {@link #isProtocolError}), and turns a verdict temporary ({@link #softened} for Postfix's
 * {@code soft_bounce}, {@link #asTemporary} for a probe). What James then does with a verdict
 * (retries, bounces) is the mailet's {@code OutcomeMapper}.
 */
public final class Trouble {

    private Trouble() {
    }

    /** The verdict for a final reply to a command at {@code stage}. */
    public static Verdict ofReply(Stage stage, Reply reply) {
        boolean expectedClass = reply.isTransientNegative() || reply.isPermanentNegative()
                || (reply.isPositive() && stage == Stage.DOT);
        if (!expectedClass) {
            // Decided here, not by the server: no reply code (a deferral must never show a 2xx),
            // and the server's reply in the text.
            return temporary(stage, EnhancedStatus.PROTOCOL_ERROR,
                    "protocol error: unexpected reply '" + Transcript.neutralise(reply.toString()) + "' while " + stage.description());
        }
        Fate fate = switch (reply.status().statusClass()) {
            case 2 -> Fate.DELIVERED;
            case 4 -> Fate.DEFERRED;
            default -> Fate.BOUNCED;
        };
        return new Verdict(fate, stage, Optional.of(reply), reply.status(), Transcript.neutralise(reply.text()));
    }

    /**
     * The verdict for a negative greeting or LHLO reply. With {@code skip5xx} (Postfix's
     * {@code lmtp_skip_5xx_greeting = yes}) a 5xx one is not the recipients' fault: it defers them,
     * the status made temporary (5.3.2 becomes 4.3.2), without a reply code, the reply in the text.
     */
    public static Verdict ofSessionRefusal(Stage stage, Reply reply, String peer, boolean skip5xx) {
        if (skip5xx && reply.isPermanentNegative()) {
            return temporary(stage, reply.status().asTemporary(), "server " + peer + " refused to talk to me: "
                    + Transcript.neutralise(reply.toString()) + " (skipped, as lmtp_skip_5xx_greeting)");
        }
        return ofReply(stage, reply);
    }

    /** The verdict for an exception raised while talking to {@code peer} at {@code stage}. */
    public static Verdict ofException(Stage stage, String peer, IOException e) {
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : Transcript.neutralise(e.getMessage());
        if (e instanceof ContentException) {
            return temporary(stage, EnhancedStatus.LOCAL_ERROR, "local data error while " + stage.description() + ": " + detail);
        }
        if (stage == Stage.CONNECT) {
            return temporary(stage, EnhancedStatus.CONNECT_FAILED, "connect to " + peer + ": " + detail);
        }
        if (e instanceof LmtpProtocolException) {
            return temporary(stage, EnhancedStatus.PROTOCOL_ERROR, "protocol error with " + peer + " while " + stage.description() + ": " + detail);
        }
        if (e instanceof SocketTimeoutException) {
            return temporary(stage, EnhancedStatus.CONNECTION_LOST, "conversation with " + peer + " timed out while " + stage.description());
        }
        return temporary(stage, EnhancedStatus.CONNECTION_LOST, "lost connection with " + peer + " while " + stage.description() + " (" + detail + ")");
    }

    public static Verdict messageTooBig(long size, long limit, String peer) {
        return new Verdict(Fate.BOUNCED, Stage.MAIL, Optional.empty(), EnhancedStatus.MESSAGE_TOO_BIG,
                "message size " + size + " exceeds size limit " + limit + " of server " + peer);
    }

    public static Verdict smtpUtf8Required(String peer, String what) {
        return new Verdict(Fate.BOUNCED, what.equals("sender") ? Stage.MAIL : Stage.RCPT, Optional.empty(),
                EnhancedStatus.SMTPUTF8_REQUIRED, "SMTPUTF8 is required for the " + what + " address, but not supported by server " + peer);
    }

    public static Verdict tlsUnavailable(String peer, String why) {
        return temporary(Stage.STARTTLS, EnhancedStatus.TLS_UNAVAILABLE, "TLS is required, but " + why + " (" + peer + ")");
    }

    public static Verdict tlsFailed(String peer, IOException e) {
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : Transcript.neutralise(e.getMessage());
        return temporary(Stage.STARTTLS, EnhancedStatus.TLS_FAILED, "TLS handshake with " + peer + " failed: " + detail);
    }

    public static Verdict authImpossible(String peer, String why) {
        return temporary(Stage.AUTH, EnhancedStatus.AUTH_FAILED, "SASL authentication to " + peer + " failed: " + why);
    }

    /** The server refused AUTH with {@code reply}; permanent only for a 5xx without soft bounce. */
    public static Verdict authRefused(String peer, Reply reply, boolean softBounce) {
        boolean permanent = reply.isPermanentNegative() && !softBounce;
        EnhancedStatus status = permanent ? reply.status() : reply.status().asTemporary();
        String text = "SASL authentication to " + peer + " failed: server said: " + Transcript.neutralise(reply.toString());
        return new Verdict(permanent ? Fate.BOUNCED : Fate.DEFERRED, Stage.AUTH,
                Optional.of(reply), status, text);
    }

    /** A refusal remembered by the failure cache: AUTH is not tried again. */
    public static Verdict authRemembered(String peer, String refusal, boolean softBounce) {
        String text = "SASL authentication to " + peer + " failed recently with the same user and password, not tried again: "
                + Transcript.neutralise(refusal);
        return softBounce
                ? temporary(Stage.AUTH, new EnhancedStatus(4, 7, 8), text)
                : new Verdict(Fate.BOUNCED, Stage.AUTH, Optional.empty(), new EnhancedStatus(5, 7, 8), text);
    }

    /**
     * The server, not the recipient, failed, and no content was sent: it could not be reached or
     * greeted us negatively, or it closed the connection (421 or lost) before DATA. The recipient
     * may go to the next server of a destination list (a delivery or a probe).
     */
    public static boolean serverFailed(Verdict verdict) {
        if (verdict.fate() == Fate.DELIVERED) {
            return false;
        }
        if (verdict.stage().opensSession()) {
            return true;
        }
        return verdict.stage().beforeContent() && verdict.fate() == Fate.DEFERRED
                && (verdict.code() == 421 || verdict.reply().isEmpty() && verdict.status().equals(EnhancedStatus.CONNECTION_LOST));
    }

    /**
     * A probe's verdict says the store failed, not what it thinks of the address: a temporary
     * verdict other than the store's own (non-421) answer to the RCPT. The store is then answered
     * for without probing for a while.
     */
    public static boolean probeBlamesTheStore(Verdict verdict) {
        if (verdict.fate() != Fate.DEFERRED) {
            return false;
        }
        boolean answeredRcpt = verdict.stage() == Stage.RCPT && verdict.reply().isPresent();
        return !answeredRcpt || verdict.code() == 421;
    }

    /** No recipient was delivered and every verdict was reached before a byte of content was sent. */
    public static boolean endedBeforeContent(DeliveryResult result) {
        return result.verdicts().stream().allMatch(verdict -> !verdict.delivered() && verdict.stage().beforeContent());
    }

    /**
     * The client and the server do not understand each other: our own 4.5.0, or a server's 500 to
     * 509 or 555 (syntax, unknown command or parameter), as Postfix's {@code notify_classes = protocol}.
     */
    public static boolean isProtocolError(Verdict verdict) {
        if (verdict.status().equals(EnhancedStatus.PROTOCOL_ERROR)) {
            return true;
        }
        return verdict.reply().map(reply -> (reply.code() >= 500 && reply.code() <= 509) || reply.code() == 555).orElse(false);
    }

    /** Postfix's {@code soft_bounce}: a bounce becomes a deferral, reply 5yz becomes 4yz and status 5.x.x becomes 4.x.x. */
    public static Verdict softened(Verdict verdict) {
        if (verdict.fate() != Fate.BOUNCED) {
            return verdict;
        }
        Optional<Reply> reply = verdict.reply().map(r -> r.isPermanentNegative()
                ? new Reply(r.code() - 100, r.status().asTemporary(), r.lines())
                : r);
        return new Verdict(Fate.DEFERRED, verdict.stage(), reply, verdict.status().asTemporary(), verdict.text(), verdict.server());
    }

    /**
     * A temporary failure whose retries are spent: bounced, with the temporary reply and status
     * kept (RFC 3464 {@code Action: failed} with a 4.x.x {@code Status}, as Postfix reports mail
     * that outlived its queue lifetime; James's {@code is-delivery-permanent-error} is then false).
     */
    public static Verdict givenUp(Verdict verdict) {
        if (verdict.fate() != Fate.DEFERRED) {
            return verdict;
        }
        return new Verdict(Fate.BOUNCED, verdict.stage(), verdict.reply(), verdict.status(), verdict.text(), verdict.server());
    }

    /**
     * A refusal that says nothing about the address asked for (a probe's refused connection or
     * null sender): deferred with the status made temporary, the server's reply kept as it was.
     */
    public static Verdict asTemporary(Verdict verdict) {
        if (verdict.fate() != Fate.BOUNCED) {
            return verdict;
        }
        return new Verdict(Fate.DEFERRED, verdict.stage(), verdict.reply(), verdict.status().asTemporary(), verdict.text());
    }

    /** No transport map entry for the domain: an operator's mistake, so deferred rather than bounced (4.3.5). */
    public static Verdict noRoute(String domain) {
        return temporary(Stage.CONNECT, new EnhancedStatus(4, 3, 5), "no LMTP destination for domain " + domain + " in the transport map");
    }

    /** The route written on the queued mail is not a destination (4.3.5): deferred, never guessed. */
    public static Verdict badRoute(String route) {
        return temporary(Stage.CONNECT, new EnhancedStatus(4, 3, 5), "the route fixed on the queued mail is not an LMTP destination: " + route);
    }

    /** James is shutting down: no new session is opened (4.3.2, system not accepting network messages). */
    public static Verdict shuttingDown() {
        return temporary(Stage.CONNECT, new EnhancedStatus(4, 3, 2), "James is shutting down");
    }

    /** The sender cannot be written in MAIL FROM (5.1.7). */
    public static Verdict badSender(String reason) {
        return new Verdict(Fate.BOUNCED, Stage.MAIL, Optional.empty(), new EnhancedStatus(5, 1, 7), "bad sender address syntax: " + reason);
    }

    /** The recipient cannot be written in RCPT TO (5.1.3). */
    public static Verdict badRecipient(String reason) {
        return new Verdict(Fate.BOUNCED, Stage.RCPT, Optional.empty(), new EnhancedStatus(5, 1, 3),
                "bad destination mailbox address syntax: " + reason);
    }

    /** A recipient probe that could not run (4.3.0): it says nothing about the address. */
    public static Verdict probeFailed(Throwable cause) {
        return temporary(Stage.CONNECT, EnhancedStatus.LOCAL_ERROR, "recipient probe failed: " + cause.getClass().getSimpleName());
    }

    /** A probe ended by its total deadline or a shutdown while at {@code stage} (4.4.2). */
    public static Verdict probeEnded(Stage stage, String why) {
        return temporary(stage, EnhancedStatus.CONNECTION_LOST, why + "; ended while " + stage.description());
    }

    private static Verdict temporary(Stage stage, EnhancedStatus status, String text) {
        return new Verdict(Fate.DEFERRED, stage, Optional.empty(), status, text);
    }
}
