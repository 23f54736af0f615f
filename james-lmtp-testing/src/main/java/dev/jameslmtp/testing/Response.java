package dev.jameslmtp.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * What {@link FakeLmtpServer} does in answer to one command: send some bytes (possibly none),
 * optionally after a delay, then carry on, drop the connection or stall it.
 *
 * <p>Immutable. {@link #reply(String...)} is the usual case: each argument is a full reply line
 * ({@code "250-first"}, {@code "250 last"}, a bare {@code "250"}) and gets CRLF appended. The
 * other factories inject faults.
 */
public final class Response {

    /** What the connection does after the bytes have been sent. */
    enum After { CONTINUE, DROP, STALL }

    private final Duration delay;
    private final byte[] bytes;
    private final After after;
    private final Duration drip;

    private Response(Duration delay, byte[] bytes, After after) {
        this(delay, bytes, after, Duration.ZERO);
    }

    private Response(Duration delay, byte[] bytes, After after, Duration drip) {
        this.delay = Objects.requireNonNull(delay, "delay");
        this.bytes = bytes.clone();
        this.after = after;
        this.drip = Objects.requireNonNull(drip, "drip");
    }

    /** Reply lines, each sent followed by CRLF, in one write. */
    public static Response reply(String... lines) {
        return new Response(Duration.ZERO, lines(lines), After.CONTINUE);
    }

    /** Exactly these bytes, nothing added (garbage, a reply split without CRLF, bare LF...). */
    public static Response raw(byte[] bytes) {
        return new Response(Duration.ZERO, bytes, After.CONTINUE);
    }

    /** Exactly these characters, encoded as ISO-8859-1, nothing added. */
    public static Response raw(String text) {
        return raw(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Close the connection at once without replying. */
    public static Response drop() {
        return new Response(Duration.ZERO, new byte[0], After.DROP);
    }

    /** Send these reply lines, then close the connection. */
    public static Response replyThenDrop(String... lines) {
        return new Response(Duration.ZERO, lines(lines), After.DROP);
    }

    /** Send these reply lines, then stop reading and replying (e.g. 354, then leave the body unread). */
    public static Response replyThenStall(String... lines) {
        return new Response(Duration.ZERO, lines(lines), After.STALL);
    }

    /** Stop reading and replying; the socket stays open until the server is closed. */
    public static Response stall() {
        return new Response(Duration.ZERO, new byte[0], After.STALL);
    }

    /** Sleep for {@code delay}, then do what {@code then} says. */
    public static Response delay(Duration delay, Response then) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay < 0: " + delay);
        }
        return new Response(then.delay.plus(delay), then.bytes, then.after, then.drip);
    }

    /**
     * Reply lines sent one byte at a time, {@code interval} apart: a server that keeps a reply
     * alive within any per-read timeout (Postfix's reason for {@code lmtp_per_record_deadline}).
     */
    public static Response drip(Duration interval, String... lines) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("drip interval must be positive: " + interval);
        }
        return new Response(Duration.ZERO, lines(lines), After.CONTINUE, interval);
    }

    /** True if the first byte sent is '2' (the server counts such an RCPT reply as accepted). */
    public boolean isPositive() {
        return bytes.length > 0 && bytes[0] == '2' && after == After.CONTINUE;
    }

    /** True if the first byte sent is '3' (a 354 to DATA makes the server read a message body). */
    public boolean isIntermediate() {
        return bytes.length > 0 && bytes[0] == '3' && after == After.CONTINUE;
    }

    Duration delay() {
        return delay;
    }

    byte[] bytes() {
        return bytes.clone();
    }

    After after() {
        return after;
    }

    /** Zero: all bytes in one write; else the pause between single-byte writes. */
    Duration drip() {
        return drip;
    }

    @Override
    public String toString() {
        String text = new String(bytes, StandardCharsets.ISO_8859_1).replace("\r", "\\r").replace("\n", "\\n");
        return "Response[" + (delay.isZero() ? "" : "after " + delay + ", ") + (drip.isZero() ? "" : "dripping every " + drip + ", ") + "'" + text + "', then " + after + "]";
    }

    private static byte[] lines(String... lines) {
        StringBuilder out = new StringBuilder();
        for (String line : lines) {
            if (line.indexOf('\r') >= 0 || line.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("reply line contains CR or LF; use Response.raw for that");
            }
            out.append(line).append("\r\n");
        }
        return out.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Response that && delay.equals(that.delay) && Arrays.equals(bytes, that.bytes)
                && after == that.after && drip.equals(that.drip);
    }

    @Override
    public int hashCode() {
        return Objects.hash(delay, Arrays.hashCode(bytes), after, drip);
    }
}
