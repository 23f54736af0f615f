package dev.jameslmtp.cli;

import static dev.jameslmtp.cli.CommandRun.command;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.Envelope;
import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.outcome.Verdict;
import dev.jameslmtp.client.session.Stage;
import dev.jameslmtp.client.wire.EnhancedStatus;
import dev.jameslmtp.client.wire.Reply;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.Response;

/**
 * A hostile server's words on the operator's terminal: an escape sequence (ESC[31m), a bare CR,
 * U+2028 and U+202E reach stdout (the report) and stderr (the transcript) escaped, never raw.
 */
class UntrustedServerTextTest {

    private static final String HOSTILE = "550 5.1.1 \u001b[31mred\rforged\u2028line\u202Eevil";
    private static final String ESCAPED = "\\x1B[31mred\\x0Dforged\\u2028line\\u202Eevil";

    private FakeLmtpServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private static void assertNothingRaw(String text) {
        assertThat(text).doesNotContain("\u001b", "\r", "\u2028", "\u202E");
    }

    @Test
    void reportAndTranscriptShouldShowTheServerTextEscapedWhenItHoldsControlsSeparatorsAndBidiMarks() {
        server = FakeLmtpServer.start(new LmtpHandler() {
            @Override
            public Response rcpt(String args, int index) {
                return Response.raw((HOSTILE + "\r\n").getBytes(StandardCharsets.UTF_8));
            }
        });

        CommandRun.Result result = command().run("-v", "-d", "inet:127.0.0.1:" + server.port(), "bob@x.test");

        assertThat(result.status()).as(result.toString()).isEqualTo(ExitStatus.NOUSER);
        assertThat(result.outLines()).containsExactly("bob@x.test  bounced    550  5.1.1  " + ESCAPED);
        assertThat(result.errLines()).contains("S: 550 5.1.1 " + ESCAPED);
        assertNothingRaw(result.out());
        assertNothingRaw(result.err());
    }

    @Test
    void reportShouldEscapeTheTextWhateverHandsItOver() {
        Verdict raw = new Verdict(Fate.BOUNCED, Stage.RCPT, Optional.of(Reply.of(550, HOSTILE.substring(4))),
                new EnhancedStatus(5, 1, 1), "\u001b[31mred\rforged\u2028line\u202Eevil \u0085\u2066");

        String line = Report.lines(DeliveryResult.sameFor("inet:127.0.0.1:24", Envelope.of("a@x.test", "bob@x.test"), raw)).get(0);

        assertThat(line).isEqualTo("bob@x.test  bounced    550  5.1.1  " + ESCAPED + " \\x85\\u2066");
    }
}
