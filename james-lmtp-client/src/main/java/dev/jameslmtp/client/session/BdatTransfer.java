package dev.jameslmtp.client.session;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

import dev.jameslmtp.client.Content;
import dev.jameslmtp.client.ContentException;
import dev.jameslmtp.client.ContentInfo;
import dev.jameslmtp.client.outcome.RecipientLedger;
import dev.jameslmtp.client.outcome.Trouble;
import dev.jameslmtp.client.outcome.Verdict;
import dev.jameslmtp.client.wire.Command;
import dev.jameslmtp.client.wire.DotStuffingOutputStream;
import dev.jameslmtp.client.wire.LmtpProtocolException;
import dev.jameslmtp.client.wire.Reply;
import dev.jameslmtp.client.wire.Transcript;
import dev.jameslmtp.client.wire.Wire;

/**
 * The message of one transaction in BDAT chunks (RFC 3030 CHUNKING) rather than after DATA: each
 * chunk goes as {@code BDAT n} and exactly n octets, the last as {@code BDAT n LAST}.
 *
 * <ul>
 *   <li>Line ends are normalised to CRLF as on the DATA path ({@link DotStuffingOutputStream#lineEndsOnly}),
 *   so the store receives the same bytes; no dot is doubled and nothing is scanned for an end of
 *   data. n is the exact octet count of the chunk as sent.</li>
 *   <li>Chunks of up to {@link #CHUNK_BYTES} are cut from one buffer, reused from chunk to chunk
 *   and by the connection from transaction to transaction ({@link #buffer}: no larger than the
 *   message needs, rounded up to a power of two, so that a connection carrying small mail keeps a
 *   small buffer). A full buffer goes out only when the next byte comes, so the last chunk is
 *   empty only for an empty message.</li>
 *   <li>The first chunk goes with the transaction's opening ({@link Opening}: RSET, MAIL, the RCPTs),
 *   in the same write when the server offers PIPELINING; without it, after the RCPT replies and
 *   only when one was accepted.</li>
 *   <li>Each chunk but the last is answered once, and the next chunk is sent after that reply (so
 *   the server is never more than a chunk behind and unread replies never pile up). A 4xx or 5xx
 *   gives every accepted recipient that verdict at {@link Stage#BDAT}; the rest of the content is
 *   not even read; RSET follows.</li>
 *   <li>After {@code BDAT n LAST}, one reply per accepted RCPT, read at {@link Stage#DOT} and matched
 *   by position, each told to the ledger's listener as it is read, as after DATA's final dot.</li>
 *   <li>A first chunk sent with the opening when MAIL or every RCPT was refused: its one reply is
 *   read, then RSET; nothing was delivered.</li>
 * </ul>
 *
 * <p>A lost connection, a timeout or a 421 is thrown for {@link LmtpConnection} to decide on. Once
 * a LAST chunk began to go out, such a failure is at {@link Stage#DOT} (the message may have been
 * delivered), even while the replies to a pipelined MAIL or RCPT are read, but for the reply to a
 * pipelined RSET: a cached connection that the server had closed fails there, before anything.
 */
final class BdatTransfer extends OutputStream {

    /** The largest chunk: 16 round trips per MB at 64 KiB cost us more CPU than DATA, 4 at 256 KiB about the same. */
    static final int CHUNK_BYTES = 256 * 1024;
    private static final int SMALLEST_BUFFER = 8 * 1024;

    /**
     * Sends the transaction's opening commands, then {@code bdat} and its chunk, and reads every
     * reply but the chunk's: the accepted recipients, or null when {@code bdat} was not sent
     * (without PIPELINING, MAIL or every RCPT was refused).
     */
    @FunctionalInterface
    interface Opening {
        List<Integer> open(Command bdat, byte[] chunk, int octets) throws IOException;
    }

    /** RSET after a transaction the server ended. */
    @FunctionalInterface
    interface Reset {
        void reset() throws IOException;
    }

    /** Thrown into the content's {@code writeTo} to stop it: the server ended the transaction. */
    private static final class Ended extends IOException {
        private static final long serialVersionUID = 1L;

        Ended() {
            super("the server ended the transaction");
        }
    }

    private final Wire wire;
    private final byte[] buffer;
    private final RecipientLedger ledger;
    private final Reset reset;
    private final byte[] one = new byte[1];
    private Opening opening;
    private List<Integer> accepted;
    private int filled;
    private boolean ended;
    /** What failed while a chunk was sent (the connection, or a bug): thrown again, never taken for a content error. */
    private Exception failure;

    BdatTransfer(Wire wire, byte[] buffer, RecipientLedger ledger, Reset reset) {
        this.wire = wire;
        this.buffer = buffer;
        this.ledger = ledger;
        this.reset = reset;
    }

    /**
     * A buffer for a message of {@code info}'s size ({@link #CHUNK_BYTES} when unknown): {@code current}
     * when large enough, else a new one, of the size rounded up to a power of two, at most {@link #CHUNK_BYTES}.
     */
    static byte[] buffer(byte[] current, ContentInfo info) {
        long size = info == null ? CHUNK_BYTES : Math.min(CHUNK_BYTES, Math.max(SMALLEST_BUFFER, info.size()));
        if (current != null && current.length >= size) {
            return current;
        }
        return new byte[(int) Math.min(CHUNK_BYTES, Long.highestOneBit(size - 1) << 1)];
    }

    /** Sends {@code content} in chunks, the first with {@code opening}; decides every accepted recipient. */
    void send(Content content, Opening opening) throws IOException {
        this.opening = opening;
        wire.stage(Stage.BDAT);
        DotStuffingOutputStream lineEnds = DotStuffingOutputStream.lineEndsOnly(this);
        try {
            content.writeTo(lineEnds);
            lineEnds.finish();
        } catch (IOException | RuntimeException e) {
            throwFailure();
            if (ended) {
                return;
            }
            throw new ContentException(e instanceof IOException io ? io : new IOException(e.toString(), e));
        }
        if (!ended) {
            chunk(true);
        }
    }

    /**
     * Sends the content already in the buffer, its first {@code length} bytes, line ends made CRLF
     * ({@link RenderedContent}): one {@code BDAT length LAST} chunk with {@code opening}.
     */
    void sendWhole(int length, Opening opening) throws IOException {
        this.opening = opening;
        wire.stage(Stage.BDAT);
        filled = length;
        chunk(true);
    }

    @Override
    public void write(int b) throws IOException {
        one[0] = (byte) b;
        write(one, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        while (length > 0) {
            throwFailure();
            if (ended) {
                throw new Ended();
            }
            if (filled == buffer.length) {
                chunk(false);
                continue;
            }
            int n = Math.min(length, buffer.length - filled);
            System.arraycopy(bytes, offset, buffer, filled, n);
            filled += n;
            offset += n;
            length -= n;
        }
    }

    /** Chunks go out whole, when full or at the end: a flush of the content sends nothing. */
    @Override
    public void flush() {
        // nothing
    }

    private void chunk(boolean last) throws IOException {
        try {
            send(Command.of("BDAT " + filled + (last ? " LAST" : "")), last);
        } catch (IOException | RuntimeException e) {
            failure = e;
            throw e;
        }
    }

    private void throwFailure() throws IOException {
        if (failure instanceof IOException e) {
            throw e;
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
    }

    private void send(Command bdat, boolean last) throws IOException {
        int octets = filled;
        filled = 0;
        if (opening != null) {
            Opening first = opening;
            opening = null;
            long chunksBefore = wire.chunksSent();
            try {
                accepted = first.open(bdat, buffer, octets);
            } catch (IOException e) {
                boolean lastWent = last && wire.chunksSent() > chunksBefore;
                if (lastWent && wire.stage() != Stage.RSET && !(e instanceof ServerClosingException)) {
                    wire.stage(Stage.DOT); // the LAST chunk went out: the message may have been delivered
                }
                throw e;
            }
            if (accepted == null) {
                end(false);
                return;
            }
            if (accepted.isEmpty()) {
                ServerClosingException.read(wire, Stage.BDAT); // a refusal, whatever it says: nobody was accepted
                end(true);
                return;
            }
        } else {
            wire.stage(last ? Stage.DOT : Stage.BDAT);
            wire.send(List.of(bdat), buffer, octets);
        }
        if (last) {
            for (int index : accepted) {
                ledger.decideOnReply(index, Trouble.ofReply(Stage.DOT, ServerClosingException.read(wire, Stage.DOT)));
            }
            return;
        }
        Reply reply = ServerClosingException.read(wire, Stage.BDAT);
        if (reply.isPositive()) {
            wire.stage(Stage.BDAT);
            return;
        }
        if (!reply.isTransientNegative() && !reply.isPermanentNegative()) {
            throw new LmtpProtocolException("BDAT was answered " + Transcript.neutralise(reply.toString()));
        }
        Verdict refused = Trouble.ofReply(Stage.BDAT, reply);
        for (int index : accepted) {
            ledger.decide(index, refused);
        }
        end(true);
    }

    /** The server ended the transaction: no more content; RSET when it was told anything of it. */
    private void end(boolean withReset) throws IOException {
        ended = true;
        if (withReset) {
            reset.reset();
        }
    }
}
