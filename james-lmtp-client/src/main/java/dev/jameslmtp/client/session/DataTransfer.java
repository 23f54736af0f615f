package dev.jameslmtp.client.session;

import java.io.IOException;
import java.util.List;

import dev.jameslmtp.client.Content;
import dev.jameslmtp.client.ContentException;
import dev.jameslmtp.client.outcome.RecipientLedger;
import dev.jameslmtp.client.outcome.Trouble;
import dev.jameslmtp.client.wire.Command;
import dev.jameslmtp.client.wire.DotStuffingOutputStream;
import dev.jameslmtp.client.wire.Reply;
import dev.jameslmtp.client.wire.Wire;

/**
 * The message of one transaction after DATA (RFC 2033 §4.2): on 354, the content dot-stuffed and
 * with CRLF line ends as it streams ({@link DotStuffingOutputStream}), the final dot, then one reply
 * per accepted RCPT, in RCPT order, matched by position and told to the ledger's listener as each
 * is read. Any other reply to DATA is every accepted recipient's verdict. A lost connection, a
 * timeout or a 421 is thrown for {@link LmtpConnection} to decide on; the message to a server
 * offering CHUNKING goes in BDAT chunks instead ({@link BdatTransfer}).
 */
final class DataTransfer {

    private static final Command DOT = Command.of(".");
    private static final int DOT_CRLF = 3;

    private DataTransfer() {
    }

    /** After DATA's reply: the content and the replies after the final dot, or the DATA refusal for every accepted recipient. */
    static void send(Wire wire, Reply dataReply, Content content, List<Integer> accepted, RecipientLedger ledger) throws IOException {
        send(wire, dataReply, null, content, accepted, ledger);
    }

    /** As above, sending {@code whole}, the content rendered ahead and dot-stuffed, when it is not null. */
    static void send(Wire wire, Reply dataReply, RenderedContent whole, Content content, List<Integer> accepted, RecipientLedger ledger)
            throws IOException {
        if (!dataReply.isIntermediate()) {
            for (int index : accepted) {
                ledger.decide(index, Trouble.ofReply(Stage.DATA, dataReply));
            }
            return;
        }
        if (accepted.isEmpty()) {
            // A server that says 354 with no accepted recipient broke RFC 2033 §4.2; end the
            // empty DATA at once (RFC 2920 §3.1) and expect nothing useful from the reply.
            wire.stage(Stage.DOT);
            wire.send(DOT);
            wire.read();
            return;
        }
        if (whole != null) {
            sendWhole(wire, whole);
        } else {
            sendContent(wire, content);
        }
        for (int index : accepted) {
            Reply reply = ServerClosingException.read(wire, Stage.DOT);
            ledger.decideOnReply(index, Trouble.ofReply(Stage.DOT, reply));
        }
    }

    /** The payload already stuffed, its final {@code .CRLF} sent at {@link Stage#DOT} as when streamed. */
    private static void sendWhole(Wire wire, RenderedContent whole) throws IOException {
        wire.stage(Stage.BODY);
        wire.content().write(whole.buffer(), 0, whole.length() - DOT_CRLF);
        wire.stage(Stage.DOT);
        wire.content().write(whole.buffer(), whole.length() - DOT_CRLF, DOT_CRLF);
        wire.content().flush();
        wire.transcript().client("[" + whole.messageBytes() + " bytes of message content]");
        wire.transcript().client(".");
    }

    private static void sendContent(Wire wire, Content content) throws IOException {
        wire.stage(Stage.BODY);
        DotStuffingOutputStream data = new DotStuffingOutputStream(wire.content());
        try {
            content.writeTo(data);
        } catch (IOException | RuntimeException e) {
            if (data.peerFailure() != null) {
                throw data.peerFailure();
            }
            throw new ContentException(e instanceof IOException io ? io : new IOException(e.toString(), e));
        }
        wire.stage(Stage.DOT);
        data.finish();
        wire.transcript().client("[" + data.messageBytes() + " bytes of message content]");
        wire.transcript().client(".");
    }
}
