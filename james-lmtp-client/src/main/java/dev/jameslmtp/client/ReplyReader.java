package dev.jameslmtp.client;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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

    private final InputStream in;
    private final Transcript transcript;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(128);

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

    private String readLine() throws IOException {
        line.reset();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException(line.size() == 0
                        ? "connection closed by server"
                        : "connection closed by server in the middle of a reply line");
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, StandardCharsets.UTF_8);
            }
            if (line.size() >= MAX_LINE_BYTES) {
                throw new LmtpProtocolException("reply line longer than " + MAX_LINE_BYTES + " bytes");
            }
            line.write(b);
        }
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
