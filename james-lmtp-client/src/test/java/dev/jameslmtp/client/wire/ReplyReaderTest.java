package dev.jameslmtp.client.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class ReplyReaderTest {

    private static ReplyReader reader(String wire) {
        return reader(wire.getBytes(StandardCharsets.UTF_8));
    }

    private static ReplyReader reader(byte[] wire) {
        return new ReplyReader(new ByteArrayInputStream(wire), Transcript.NONE);
    }

    @Test
    void readShouldParseSingleLineReplyWithEnhancedStatus() throws IOException {
        Reply reply = reader("550 5.1.1 User doesn't exist: nobody@example.test\r\n").read();

        assertThat(reply.code()).isEqualTo(550);
        assertThat(reply.status()).isEqualTo(new EnhancedStatus(5, 1, 1));
        assertThat(reply.text()).isEqualTo("User doesn't exist: nobody@example.test");
        assertThat(reply).hasToString("550 5.1.1 User doesn't exist: nobody@example.test");
    }

    @Test
    void readShouldJoinMultiLineReply() throws IOException {
        Reply reply = reader("250-lmtp.example.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n").read();

        assertThat(reply.lines()).containsExactly("lmtp.example.test", "PIPELINING", "8BITMIME");
        assertThat(reply.wireLines()).containsExactly("250-lmtp.example.test", "250-PIPELINING", "250 8BITMIME");
    }

    @Test
    void readShouldAcceptBareCodeAsLastLine() throws IOException {
        ReplyReader reader = reader("250-first\r\n250\r\n250-second\r\n250 \r\n221 bye\r\n");

        assertThat(reader.read().lines()).containsExactly("first", "");
        assertThat(reader.read().lines()).containsExactly("second", "");
        assertThat(reader.read().code()).isEqualTo(221);
    }

    @Test
    void readShouldAcceptBareLineFeed() throws IOException {
        Reply reply = reader("250-a\n250 2.0.0 b\n").read();

        assertThat(reply.lines()).containsExactly("a", "2.0.0 b");
    }

    @Test
    void readShouldReadConsecutiveRepliesInOrder() throws IOException {
        ReplyReader reader = reader("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.1.1 No\r\n354 go\r\n");

        assertThat(List.of(reader.read().code(), reader.read().code(), reader.read().code(), reader.read().code()))
                .containsExactly(250, 250, 550, 354);
    }

    @Test
    void readShouldGiveTheSameRepliesWhateverByteBoundaryTheBytesAreSplitAt() throws IOException {
        byte[] wire = ("220 lmtp.example.test ready\r\n250-lmtp.example.test\r\n250-PIPELINING\r\n250\r\n"
                + "452 4.2.2 Mailbox full\r\n250 2.0.0 <b@x> Saved\r\n").getBytes(StandardCharsets.UTF_8);
        List<String> expected = readAll(reader(wire), 4);

        for (int split = 1; split < wire.length; split++) {
            InputStream first = new ByteArrayInputStream(wire, 0, split);
            InputStream second = new ByteArrayInputStream(wire, split, wire.length - split);
            List<String> got = readAll(new ReplyReader(new SequenceInputStream(first, second), Transcript.NONE), 4);
            assertThat(got).as("split at byte %d", split).isEqualTo(expected);
        }
        InputStream dribble = new InputStream() {
            private int position;

            @Override
            public int read() {
                return position < wire.length ? wire[position++] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                int next = read();
                if (next < 0) {
                    return -1;
                }
                b[off] = (byte) next;
                return 1;
            }
        };
        assertThat(readAll(new ReplyReader(dribble, Transcript.NONE), 4)).isEqualTo(expected);
        assertThat(expected).containsExactly("220 2.0.0 lmtp.example.test ready", "250 2.0.0 lmtp.example.test PIPELINING",
                "452 4.2.2 Mailbox full", "250 2.0.0 <b@x> Saved");
    }

    private static List<String> readAll(ReplyReader reader, int count) throws IOException {
        List<String> replies = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            replies.add(reader.read().toString());
        }
        return replies;
    }

    @Test
    void readShouldSubstituteGenericStatusWhenClassDisagreesWithCode() throws IOException {
        assertThat(reader("550 2.1.5 confused\r\n").read().status()).hasToString("5.0.0");
        assertThat(reader("452 5.2.2 confused\r\n").read().status()).hasToString("4.0.0");
        assertThat(reader("250 Ok\r\n").read().status()).hasToString("2.0.0");
        assertThat(reader("550 5.1.1\r\n").read().status()).hasToString("5.1.1");
    }

    @Test
    void readShouldKeepStatusLikeTextThatIsNotAnEnhancedCode() throws IOException {
        Reply reply = reader("550 5.1.1x not a code\r\n").read();

        assertThat(reply.status()).hasToString("5.0.0");
        assertThat(reply.text()).isEqualTo("5.1.1x not a code");
    }

    @Test
    void readShouldRejectGarbageLines() {
        assertThatThrownBy(() -> reader("hello there\r\n").read())
                .isInstanceOf(LmtpProtocolException.class).hasMessageContaining("malformed reply line");
        assertThatThrownBy(() -> reader("25\r\n").read()).isInstanceOf(LmtpProtocolException.class);
        assertThatThrownBy(() -> reader("250x bad separator\r\n").read()).isInstanceOf(LmtpProtocolException.class);
        assertThatThrownBy(() -> reader("+12 signed\r\n").read()).isInstanceOf(LmtpProtocolException.class);
    }

    @Test
    void readShouldRejectCodesOutsideTheProtocolRange() {
        assertThatThrownBy(() -> reader("199 early\r\n").read()).isInstanceOf(LmtpProtocolException.class);
        assertThatThrownBy(() -> reader("600 late\r\n").read()).isInstanceOf(LmtpProtocolException.class);
    }

    @Test
    void readShouldRejectCodeChangeInsideMultiLineReply() {
        assertThatThrownBy(() -> reader("250-first\r\n550 second\r\n").read())
                .isInstanceOf(LmtpProtocolException.class).hasMessageContaining("changed from 250 to 550");
    }

    @Test
    void readShouldBoundLineLength() {
        String longLine = "250 " + "x".repeat(ReplyReader.MAX_LINE_BYTES) + "\r\n";

        assertThatThrownBy(() -> reader(longLine).read())
                .isInstanceOf(LmtpProtocolException.class).hasMessageContaining("longer than");
    }

    @Test
    void readShouldBoundNumberOfLines() {
        String endless = "250-x\r\n".repeat(ReplyReader.MAX_LINES + 1) + "250 end\r\n";

        assertThatThrownBy(() -> reader(endless).read())
                .isInstanceOf(LmtpProtocolException.class).hasMessageContaining("more than");
    }

    @Test
    void readShouldFailWithEofWhenServerClosesMidReply() {
        assertThatThrownBy(() -> reader("250-first\r\n250-sec").read()).isInstanceOf(EOFException.class);
        assertThatThrownBy(() -> reader("").read()).isInstanceOf(EOFException.class)
                .hasMessage("connection closed by server");
    }

    @Test
    void readSecretShouldKeepChallengeOutOfTheTranscript() throws IOException {
        List<String> lines = new ArrayList<>();
        ReplyReader reader = new ReplyReader(new ByteArrayInputStream("334 c2VjcmV0\r\n".getBytes(StandardCharsets.US_ASCII)),
                Transcript.to(lines::add));

        Reply reply = reader.readSecret();

        assertThat(reply.lines()).containsExactly("c2VjcmV0");
        assertThat(lines).containsExactly("S: 334 ****");
    }

    @Test
    void transcriptShouldNeutraliseControlCharacters() throws IOException {
        List<String> lines = new ArrayList<>();
        new ReplyReader(new ByteArrayInputStream("250 ok\u001b[2J\r\n".getBytes(StandardCharsets.US_ASCII)), Transcript.to(lines::add)).read();

        assertThat(lines).containsExactly("S: 250 ok\\x1B[2J");
    }
}
