package dev.jameslmtp.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The script of a {@link FakeLmtpServer}: one method per LMTP command, each returning the
 * {@link Response} to send. Every method has a default that behaves like a well-mannered RFC 2033
 * server, so a test overrides only what it wants to change.
 *
 * <p>One handler serves every connection of a server, each on its own thread: a handler that keeps
 * state (counters, "fail the second connection") must be thread-safe.
 *
 * <p>Arguments are the command line after the verb and one space, without CRLF: {@code mail("FROM:<a@b> SIZE=12")},
 * {@code rcpt("TO:<c@d>", 0)}.
 */
public interface LmtpHandler {

    /** The capabilities that {@link #lhlo} advertises by default. */
    List<String> DEFAULT_CAPABILITIES = List.of("PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME");

    /** The default capabilities and CHUNKING (RFC 3030), as Dovecot's LMTP offers them: BDAT is read. */
    List<String> CHUNKING_CAPABILITIES = List.of("PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME", "CHUNKING");

    /** A handler with every default. */
    static LmtpHandler defaults() {
        return new LmtpHandler() { };
    }

    /** A handler with every default except the LHLO capability lines (e.g. {@code "SIZE 1000"}). */
    static LmtpHandler withCapabilities(String... capabilities) {
        List<String> list = List.of(capabilities);
        return new LmtpHandler() {
            @Override
            public List<String> capabilities() {
                return list;
            }
        };
    }

    /**
     * A store that knows only the users {@code localParts} (in any domain): RCPT for one of them
     * gets {@code 250 2.1.5 OK}, any other address Dovecot's
     * {@code 550 5.1.1 <address> User doesn't exist: address}.
     */
    static LmtpHandler knowingOnly(String... localParts) {
        Set<String> users = Set.of(localParts);
        return new LmtpHandler() {
            @Override
            public Response rcpt(String args, int index) {
                String address = path(args);
                int at = address.lastIndexOf('@');
                return at > 0 && users.contains(address.substring(0, at))
                        ? Response.reply("250 2.1.5 OK")
                        : Response.reply("550 5.1.1 <" + address + "> User doesn't exist: " + address);
            }
        };
    }

    /** A multi-line 250 LHLO reply: the domain line, then one line per capability. */
    static Response lhloReply(String domain, List<String> capabilities) {
        List<String> lines = new ArrayList<>();
        lines.add(domain);
        lines.addAll(capabilities);
        String[] out = new String[lines.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (i == out.length - 1 ? "250 " : "250-") + lines.get(i);
        }
        return Response.reply(out);
    }

    /** The mailbox inside the angle brackets of {@code "TO:<a@b> NOTIFY=NEVER"}, or the whole argument without them. */
    static String path(String args) {
        int open = args.indexOf('<');
        int close = args.indexOf('>', open + 1);
        return open >= 0 && close > open ? args.substring(open + 1, close) : args;
    }

    /** Sent when a client connects. */
    default Response greeting() {
        return Response.reply("220 fake.test LMTP ready");
    }

    /** Capability lines used by the default {@link #lhlo}. */
    default List<String> capabilities() {
        return DEFAULT_CAPABILITIES;
    }

    default Response lhlo(String arg) {
        return lhloReply("fake.test", capabilities());
    }

    default Response mail(String args) {
        return Response.reply("250 2.1.0 Ok");
    }

    /** {@code index} counts the RCPT commands of the current transaction from 0. A 2xx reply accepts the recipient. */
    default Response rcpt(String args, int index) {
        return Response.reply("250 2.1.5 Ok");
    }

    /** A 3xx reply makes the server read a message body; anything else leaves it reading commands. */
    default Response data(int acceptedRecipients) {
        return acceptedRecipients > 0
                ? Response.reply("354 go ahead")
                : Response.reply("503 5.5.1 No valid recipients");
    }

    /**
     * The replies after the final dot, sent in order. {@code acceptedRcptArgs} holds the arguments
     * of the accepted RCPT commands, in order and with duplicates; {@code body} is as in
     * {@link FakeLmtpServer#bodies}. The list may be shorter than the recipients, or hold a drop or
     * a stall, to inject faults; the server stops at a drop or a stall.
     */
    default List<Response> afterDot(List<String> acceptedRcptArgs, byte[] body) {
        List<Response> replies = new ArrayList<>();
        for (String rcpt : acceptedRcptArgs) {
            replies.add(Response.reply("250 2.0.0 <" + path(rcpt) + "> Saved"));
        }
        return replies;
    }

    /**
     * The reply to a BDAT chunk but the last (RFC 3030), once its octets were read. {@code chunk}
     * counts the chunks of the transaction from 0, {@code octets} are the chunk's. Default: 250, or
     * 503 when no RCPT was accepted. A drop or a stall injects a fault between chunks.
     */
    default Response bdat(int chunk, byte[] octets, int acceptedRecipients) {
        return acceptedRecipients > 0
                ? Response.reply("250 2.0.0 " + octets.length + " octets received")
                : Response.reply("503 5.5.1 No valid recipients");
    }

    /**
     * The replies after {@code BDAT n LAST}, sent in order; {@code body} is the chunks of the
     * transaction put together. Default: one 503 when no RCPT was accepted, else {@link #afterDot},
     * as an LMTP server answers each accepted recipient after the last chunk as after the dot.
     */
    default List<Response> afterLastChunk(List<String> acceptedRcptArgs, byte[] body) {
        return acceptedRcptArgs.isEmpty() ? List.of(Response.reply("503 5.5.1 No valid recipients")) : afterDot(acceptedRcptArgs, body);
    }

    /**
     * A fault in the middle of chunk {@code chunk}: when present, the server reads half of the
     * chunk's octets, then sends this (a drop or a stall) instead of reading on. Default: none.
     */
    default Optional<Response> midChunk(int chunk, int octets, boolean last) {
        return Optional.empty();
    }

    default Response rset() {
        return Response.reply("250 2.0.0 Ok");
    }

    /** The server closes the connection after sending this, whatever it is. */
    default Response quit() {
        return Response.reply("221 2.0.0 Bye");
    }

    default Response noop() {
        return Response.reply("250 2.0.0 Ok");
    }

    /**
     * AUTH and its arguments. While the reply starts with "334", the next line the client sends
     * goes to {@link #authContinuation} instead of being read as a command.
     */
    default Response auth(String args) {
        return unknown("AUTH " + args);
    }

    /** A line sent in answer to a 334 challenge; {@code step} counts them from 0 within one AUTH. */
    default Response authContinuation(String line, int step) {
        return Response.reply("535 5.7.8 Authentication failed");
    }

    /**
     * STARTTLS. On a server started with a TLS context, a reply starting with "220" is followed by
     * the server side of a TLS handshake; without one, the server goes on reading plain lines.
     */
    default Response starttls() {
        return unknown("STARTTLS");
    }

    /** LHLO on a connection after a successful STARTTLS; default: {@link #lhlo}. */
    default Response lhloAfterTls(String arg) {
        return lhlo(arg);
    }

    /** Any other command line (HELO, EHLO, VRFY, garbage...). */
    default Response unknown(String line) {
        return Response.reply("500 5.5.2 Unknown command");
    }
}
