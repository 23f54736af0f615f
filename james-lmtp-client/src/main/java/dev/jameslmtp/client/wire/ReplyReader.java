package dev.jameslmtp.client.wire;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads replies (RFC 5321 §4.2) from the server, one at a time, with bounds.
 *
 * <p>A reply is one or more lines {@code ddd-text}, ended by a line {@code ddd text}. The last
 * line may also be the bare code, {@code "250"} or {@code "250 "}, which Postfix's smtp-sink
 * sends and Commons Net cannot parse. Every line of one reply must carry the same code. Lines end
 * with CRLF; a bare LF is accepted. Text is decoded as UTF-8 (RFC 6531 servers may send it).
 *
 * <p>DIAGNOSTICS: {@link LmtpProtocolException} for a malformed line, a line longer than
 * {@value #MAX_LINE_BYTES} bytes, a reply of more than {@value #MAX_LINES} lines, or a code
 * outside 200-599; {@link EOFException} when the server closes the connection mid-reply.
 */
final class ReplyReader {

    static final int MAX_LINE_BYTES = 4096;
    static final int MAX_LINES = 200;

    private static final int BUFFER_BYTES = 1024;

    private final InputStream in;
    private final Transcript transcript;
    /** Bytes read from the server and not yet consumed: {@code buffer[start..end)}. */
    private final byte[] buffer = new byte[BUFFER_BYTES];
    private int start;
    private int end;
    /** A line that spans more than one read, while it is being put together; grown up to the line limit. */
    private byte[] partial = new byte[0];

    ReplyReader(InputStream in, Transcript transcript) {
        this.in = in;
        this.transcript = transcript;
    }

    Reply read() throws IOException {
        return read(false);
    }

    /**
     * Reads a reply whose text must not reach the transcript (SASL challenges): the transcript
     * shows the code and {@code ****}.
     */
    Reply readSecret() throws IOException {
        return read(true);
    }

    private Reply read(boolean secret) throws IOException {
        List<String> texts = new ArrayList<>();
        int code = -1;
        while (true) {
            String raw = readLine();
            transcript.server(secret && raw.length() > 4 ? raw.substring(0, 4) + Transcript.REDACTED : raw);
            if (raw.length() < 3 || !isDigits(raw)) {
                throw new LmtpProtocolException("malformed reply line: " + Transcript.neutralise(abbreviate(raw)));
            }
            int lineCode = Integer.parseInt(raw.substring(0, 3));
            if (lineCode < 200 || lineCode > 599) {
                throw new LmtpProtocolException("reply code " + lineCode + " is outside 200-599");
            }
            if (code >= 0 && lineCode != code) {
                throw new LmtpProtocolException("reply code changed from " + code + " to " + lineCode + " inside a multi-line reply");
            }
            code = lineCode;
            boolean last;
            if (raw.length() == 3) {
                last = true;
            } else if (raw.charAt(3) == ' ') {
                last = true;
            } else if (raw.charAt(3) == '-') {
                last = false;
            } else {
                throw new LmtpProtocolException("malformed reply line (expected ' ' or '-' after the code): "
                        + Transcript.neutralise(abbreviate(raw)));
            }
            texts.add(raw.length() > 4 ? raw.substring(4) : "");
            if (last) {
                return Reply.of(code, texts);
            }
            if (texts.size() >= MAX_LINES) {
                throw new LmtpProtocolException("reply has more than " + MAX_LINES + " lines");
            }
        }
    }

    /**
     * One line without its CRLF (or bare LF). Reads the stream through this reader's buffer; bytes
     * of the next reply stay in it for the next call.
     */
    private String readLine() throws IOException {
        int partialLength = 0;
        while (true) {
            for (int i = start; i < end; i++) {
                if (buffer[i] == '\n') {
                    String line;
                    if (partialLength == 0) {
                        line = decode(buffer, start, i - start);
                    } else {
                        partialLength = append(partialLength, start, i - start);
                        line = decode(partial, 0, partialLength);
                    }
                    start = i + 1;
                    return line;
                }
                if (partialLength + i - start >= MAX_LINE_BYTES) {
                    throw new LmtpProtocolException("reply line longer than " + MAX_LINE_BYTES + " bytes");
                }
            }
            partialLength = append(partialLength, start, end - start);
            start = 0;
            end = 0;
            int n = in.read(buffer, 0, buffer.length);
            if (n < 0) {
                throw new EOFException(partialLength == 0
                        ? "connection closed by server"
                        : "connection closed by server in the middle of a reply line");
            }
            end = n;
        }
    }

    private int append(int partialLength, int from, int length) {
        if (length == 0) {
            return partialLength;
        }
        if (partial.length < partialLength + length) {
            partial = Arrays.copyOf(partial, Math.min(MAX_LINE_BYTES + 1, Math.max(2 * partial.length, partialLength + length)));
        }
        System.arraycopy(buffer, from, partial, partialLength, length);
        return partialLength + length;
    }

    private static String decode(byte[] bytes, int from, int length) {
        int n = length > 0 && bytes[from + length - 1] == '\r' ? length - 1 : length;
        return new String(bytes, from, n, StandardCharsets.UTF_8);
    }

    /** Bytes received and not yet read as a reply. */
    int buffered() {
        return end - start;
    }

    private static boolean isDigits(String raw) {
        return raw.charAt(0) >= '0' && raw.charAt(0) <= '9'
                && raw.charAt(1) >= '0' && raw.charAt(1) <= '9'
                && raw.charAt(2) >= '0' && raw.charAt(2) <= '9';
    }

    private static String abbreviate(String raw) {
        return raw.length() > 80 ? raw.substring(0, 80) + "..." : raw;
    }
}
