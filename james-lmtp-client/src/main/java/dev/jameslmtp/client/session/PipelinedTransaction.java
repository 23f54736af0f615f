package dev.jameslmtp.client.session;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.jameslmtp.client.Content;
import dev.jameslmtp.client.ContentInfo;
import dev.jameslmtp.client.MeasuredContent;
import dev.jameslmtp.client.ContentException;
import dev.jameslmtp.client.Envelope;
import dev.jameslmtp.client.outcome.RecipientLedger;
import dev.jameslmtp.client.outcome.Trouble;
import dev.jameslmtp.client.wire.Command;
import dev.jameslmtp.client.wire.LmtpProtocolException;
import dev.jameslmtp.client.wire.Reply;
import dev.jameslmtp.client.wire.Transcript;
import dev.jameslmtp.client.wire.Wire;

/**
 * One transaction of an {@link LmtpConnection}: MAIL, RCPT per recipient and DATA (or the first
 * BDAT chunk), preceded by RSET for a second transaction on the connection, in pipelined groups
 * when the server offers PIPELINING (RFC 2920: windows of {@value #PIPELINE_WINDOW} commands), else
 * one command per round trip; replies matched to commands by position; then the content
 * ({@link DataTransfer}, {@link BdatTransfer}). Keeps the BDAT buffer between transactions.
 */
final class PipelinedTransaction {

    static final int PIPELINE_WINDOW = 100;

    private static final Command RSET = Command.of("RSET");
    private static final Command DATA = Command.of("DATA");

    private final Wire wire;
    /** Whether ORCPT goes on RCPT TO although the store does not offer DSN. */
    private final boolean orcptWithoutDsn;
    /** BDAT to a server that offers CHUNKING, else DATA. */
    private final boolean useChunking;
    private final BdatTransfer.Reset reset;
    /** The buffer of the content rendered ahead and of the BDAT chunks, made at the first transaction that needs it and reused. */
    private byte[] buffer;
    /** The content of the coming transaction, read whole ahead of it ({@link #measure}); null when it is streamed. */
    private RenderedContent rendered;
    /** The content {@link #rendered} was read from: a rendering is never sent for another. */
    private Content renderedFrom;
    /** The capabilities of the transaction running now. */
    private Capabilities capabilities;

    PipelinedTransaction(Wire wire, boolean orcptWithoutDsn, boolean useChunking, BdatTransfer.Reset reset) {
        this.wire = wire;
        this.orcptWithoutDsn = orcptWithoutDsn;
        this.useChunking = useChunking;
        this.reset = reset;
    }

    /**
     * The measure of {@code content} for the coming transaction's MAIL (SIZE, BODY), taken on the
     * pass that renders it into the buffer ({@link RenderedContent}); a content too large for the
     * buffer, or measured already (its measure remembered), is streamed by {@link #run}.
     *
     * @throws ContentException when the content cannot be read
     */
    ContentInfo measure(Capabilities capabilities, Content content) throws ContentException {
        rendered = null;
        Optional<ContentInfo> known = MeasuredContent.known(content);
        if (known.isPresent()) {
            return known.get(); // streamed: one read either way
        }
        RenderedContent read = RenderedContent.of(content, !(useChunking && capabilities.chunking()), buffer);
        buffer = read.buffer();
        MeasuredContent.remember(content, read.info());
        if (read.whole()) {
            rendered = read;
            renderedFrom = content;
        }
        return read.info();
    }

    /**
     * MAIL, RCPT per recipient and DATA (or the first BDAT chunk, when the server offers CHUNKING
     * and {@code useChunking} allows it: {@link BdatTransfer}), preceded by RSET when {@code reset}:
     * in pipelined groups when the server offers PIPELINING (the RSET travels with MAIL and its
     * reply is read first), else one command per round trip. Replies are matched to commands by position.
     */
    void run(Capabilities capabilities, Envelope envelope, Content content, ContentInfo info, RecipientLedger ledger, boolean reset)
            throws IOException {
        this.capabilities = capabilities;
        RenderedContent whole = renderedFrom == content ? rendered : null;
        rendered = null;
        renderedFrom = null;
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
            BdatTransfer.Opening opening = (bdat, chunk, octets) -> {
                commands.add(bdat);
                return open(commands, first, recipients, ledger, chunk, octets);
            };
            if (whole != null && !whole.stuffed()) {
                new BdatTransfer(wire, whole.buffer(), ledger, this.reset).sendWhole(whole.length(), opening);
            } else {
                buffer = BdatTransfer.buffer(buffer, info);
                new BdatTransfer(wire, buffer, ledger, this.reset).send(content, opening);
            }
            return;
        }
        commands.add(DATA);
        List<Integer> accepted = open(commands, first, recipients, ledger, null, 0);
        if (accepted != null) {
            DataTransfer.send(wire, readReply(Stage.DATA), whole != null && whole.stuffed() ? whole : null, content, accepted, ledger);
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
}
