package dev.jameslmtp.cli;

import static dev.jameslmtp.cli.CommandRun.command;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jameslmtp.testing.DovecotLmtpServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

/**
 * The command against a real Dovecot LMTP ({@link DovecotLmtpServer}, work directories under
 * {@code target/}), over TCP and over the UNIX socket: two valid recipients, one unknown and one
 * over quota give delivered, delivered, 550 5.1.1 at RCPT and 552 5.2.2 after the final dot, exit
 * status 69; the stored messages are the sent bytes after the headers Dovecot adds. After DATA
 * ({@code --no-chunking}) over both, and in BDAT chunks (Dovecot offers CHUNKING) over the UNIX socket.
 */
class DovecotCommandTest {

    private static final Set<String> DOVECOT_HEADERS = Set.of("Return-Path", "Delivered-To", "Received");

    @Test
    void mixedPermanentFailuresOverTcpShouldExit69() throws IOException {
        deliverMixed("dovecot-cli-tcp", DovecotLmtpServer::tcpDestination, false);
    }

    @Test
    void mixedPermanentFailuresOverUnixSocketShouldExit69() throws IOException {
        deliverMixed("dovecot-cli-unix", DovecotLmtpServer::unixDestination, false);
    }

    @Test
    void mixedPermanentFailuresInBdatChunksShouldExit69() throws IOException {
        deliverMixed("dovecot-cli-bdat", DovecotLmtpServer::unixDestination, true);
    }

    private static void deliverMixed(String workDir, Function<DovecotLmtpServer, String> destination, boolean chunking)
            throws IOException {
        byte[] message = message();
        try (DovecotLmtpServer dovecot = DovecotLmtpServer.start(Path.of("target", workDir))) {
            CommandRun.Result result = command().stdin(message).run("-v", chunking ? "--chunking" : "--no-chunking",
                    "-d", destination.apply(dovecot),
                    "-f", "sender@client.test", "-l", "client.test",
                    "alice@example.test", "bob@example.test", "nobody@example.test", "carol@example.test");
            Files.writeString(Path.of("target", workDir, "lmtp-run.txt"), "$ lmtp -v -d " + destination.apply(dovecot)
                    + " -f sender@client.test -l client.test alice@example.test bob@example.test nobody@example.test"
                    + " carol@example.test < message\n" + result, StandardCharsets.UTF_8);

            assertThat(result.status()).as(result + dovecot.logTail()).isEqualTo(ExitStatus.UNAVAILABLE);
            List<String> lines = result.outLines();
            assertThat(lines).hasSize(4);
            assertThat(lines.get(0)).matches("alice@example\\.test   delivered  250  2\\.0\\.0  <alice@example\\.test> \\S+ Saved");
            assertThat(lines.get(1)).matches("bob@example\\.test     delivered  250  2\\.0\\.0  <bob@example\\.test> \\S+ Saved");
            assertThat(lines.get(2)).isEqualTo("nobody@example.test  bounced    550  5.1.1  "
                    + "<nobody@example.test> User doesn't exist: nobody@example.test");
            assertThat(lines.get(3)).isEqualTo("carol@example.test   bounced    552  5.2.2  "
                    + "<carol@example.test> Quota exceeded (mailbox for user is full)");

            // where each was decided: 550 among the RCPT replies (before 354), 552 after the final dot,
            // or, in BDAT chunks, 550 among the RCPT replies read after the chunk went, 552 after it
            List<String> transcript = result.errLines();
            int unknown = transcript.indexOf("S: 550 5.1.1 <nobody@example.test> User doesn't exist: nobody@example.test");
            int quota = transcript.indexOf("S: 552 5.2.2 <carol@example.test> Quota exceeded (mailbox for user is full)");
            if (chunking) {
                int last = transcript.indexOf("C: BDAT " + message.length + " LAST");
                assertThat(last).as(result.err()).isPositive().isLessThan(unknown);
                assertThat(quota).isGreaterThan(unknown);
                assertThat(transcript).doesNotContain("C: DATA", "C: .");
            } else {
                int dataGo = indexStartingWith(transcript, "S: 354");
                int dot = transcript.indexOf("C: .");
                assertThat(unknown).as(result.err()).isPositive().isLessThan(dataGo);
                assertThat(dataGo).isLessThan(dot);
                assertThat(quota).isGreaterThan(dot);
            }

            for (String user : List.of("alice", "bob")) {
                assertThat(dovecot.messages(user)).as(user).singleElement()
                        .satisfies(stored -> assertStoredAsSent(stored, message));
            }
            assertThat(dovecot.messages("carol")).isEmpty();
        }
    }

    /** {@code stored} is Dovecot's header lines (Return-Path, Delivered-To, Received), then exactly {@code sent}. */
    private static void assertStoredAsSent(byte[] stored, byte[] sent) {
        assertThat(stored.length).isGreaterThan(sent.length);
        byte[] tail = java.util.Arrays.copyOfRange(stored, stored.length - sent.length, stored.length);
        assertThat(tail).isEqualTo(sent);
        String added = new String(stored, 0, stored.length - sent.length, StandardCharsets.ISO_8859_1);
        assertThat(added).startsWith("Return-Path: <sender@client.test>\r\n").endsWith("\r\n");
        for (String line : added.split("\r\n")) {
            if (!line.startsWith(" ") && !line.startsWith("\t")) {
                assertThat(line.substring(0, line.indexOf(':'))).as(added).isIn(DOVECOT_HEADERS);
            }
        }
    }

    private static int indexStartingWith(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] message() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(("From: sender@client.test\r\nTo: alice@example.test, bob@example.test\r\n"
                + "Subject: lmtp command against Dovecot\r\nContent-Type: text/plain; charset=ISO-8859-1\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(new byte[] {'c', 'a', 'f', (byte) 0xE9, '\r', '\n'});
        out.write(".a line that starts with a dot\r\n..two\r\n.\r\nlast line\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }
}
