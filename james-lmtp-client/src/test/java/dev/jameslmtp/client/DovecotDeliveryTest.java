package dev.jameslmtp.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.CsvSource;

import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.outcome.Verdict;
import dev.jameslmtp.client.session.LmtpConnection;
import dev.jameslmtp.client.session.Stage;
import dev.jameslmtp.client.session.Timeouts;
import dev.jameslmtp.client.wire.Transcript;
import dev.jameslmtp.testing.DovecotLmtpServer;

/**
 * The truth: a real Dovecot LMTP server (Debian's dovecot-lmtpd, started with a private
 * configuration under target/) over TCP on 127.0.0.1 and over a UNIX socket.
 */
class DovecotDeliveryTest {

    /** BdatTransfer's chunk size (package-private in client.session): a BDAT message's chunks are of this size. */
    private static final int CHUNK_BYTES = 256 * 1024;

    private static DovecotLmtpServer dovecot;

    @BeforeAll
    static void startDovecot() {
        dovecot = DovecotLmtpServer.start(Path.of("target", "dovecot-client-test"));
    }

    @AfterAll
    static void stopDovecot() {
        if (dovecot != null) {
            dovecot.close();
        }
    }

    @ParameterizedTest
    @CsvSource({"tcp,true", "tcp,false", "unix,true", "unix,false"})
    void deliverShouldMapEachRecipientsOwnReplyAndStoreTheExactBytes(String transport, boolean useChunking) {
        String destination = transport.equals("tcp") ? dovecot.tcpDestination() : dovecot.unixDestination();
        String tag = transport + "-" + System.nanoTime();
        // 8-bit bytes, a first-line-style leading dot, a lone dot line, a bare LF and no final CRLF.
        byte[] message = ("From: sender@origin.test\r\nTo: alice@example.test\r\nSubject: " + tag + "\r\n"
                + "Content-Type: text/plain; charset=ISO-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + ".leading dot\r\n.\r\n..two dots\r\nd\u00e9j\u00e0 vu \u00ff\nbare LF line\r\nno final CRLF")
                .getBytes(StandardCharsets.ISO_8859_1);
        List<String> transcript = new java.util.concurrent.CopyOnWriteArrayList<>(); // QUIT's reply may come on another thread
        LmtpClient client = LmtpClient.builder().lhloName("client.test").transcript(Transcript.to(transcript::add))
                .useChunking(useChunking).timeouts(Timeouts.defaults().withAll(Duration.ofSeconds(20))).build();
        int aliceBefore = dovecot.messages("alice").size();
        int bobBefore = dovecot.messages("bob").size();

        DeliveryResult result = client.deliver(Destination.parse(destination),
                Envelope.of("sender@origin.test", dovecot.address("alice"), dovecot.address("bob"),
                        dovecot.address("nobody"), dovecot.address("carol")),
                Content.of(message));

        transcript.forEach(System.out::println);
        assertThat(result.verdicts()).extracting(Verdict::fate, Verdict::stage,
                Verdict::code, o -> o.status().toString()).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Fate.DELIVERED, Stage.DOT, 250, "2.0.0"),
                org.assertj.core.groups.Tuple.tuple(Fate.DELIVERED, Stage.DOT, 250, "2.0.0"),
                org.assertj.core.groups.Tuple.tuple(Fate.BOUNCED, Stage.RCPT, 550, "5.1.1"),
                org.assertj.core.groups.Tuple.tuple(Fate.BOUNCED, Stage.DOT, 552, "5.2.2"));
        assertThat(result.verdicts().get(2).text()).contains("User doesn't exist");

        byte[] expected = new String(message, StandardCharsets.ISO_8859_1).replace("\nbare", "\r\nbare").concat("\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        for (String user : List.of("alice", "bob")) {
            List<byte[]> stored = dovecot.messages(user);
            assertThat(stored).hasSize((user.equals("alice") ? aliceBefore : bobBefore) + 1);
            byte[] last = stored.get(stored.size() - 1);
            assertThat(afterDovecotHeaders(last, tag)).as("%s's stored message", user).isEqualTo(expected);
        }
        if (useChunking) {
            assertThat(transcript).as("Dovecot offers CHUNKING").contains("C: BDAT " + expected.length + " LAST",
                    "C: [" + expected.length + " octets of message content]");
        } else {
            assertThat(transcript).contains("C: DATA", "C: [" + message.length + " bytes of message content]");
        }
    }

    @Test
    void bdatShouldStoreTheSameBytesAsDataWithLeadingDotsAOneMegabyteLineAndEightBitContent() {
        String tag = "same-" + System.nanoTime();
        byte[] message = ("From: sender@origin.test\r\nTo: alice@example.test\r\nSubject: " + tag + "\r\n"
                + "Content-Type: text/plain; charset=ISO-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + ".leading dot\r\n.\r\n..two dots\r\n" + "x".repeat(1024 * 1024) + "\r\n.after the long line\r\n"
                + "d\u00e9j\u00e0 vu \u00ff\nbare LF line\r\n.\r\nno final CRLF").getBytes(StandardCharsets.ISO_8859_1);
        byte[] expected = new String(message, StandardCharsets.ISO_8859_1).replace("\nbare", "\r\nbare").concat("\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        List<String> transcript = new java.util.concurrent.CopyOnWriteArrayList<>();
        int before = dovecot.messages("alice").size();

        for (boolean useChunking : List.of(false, true)) {
            LmtpClient client = LmtpClient.builder().lhloName("client.test").transcript(Transcript.to(transcript::add))
                    .useChunking(useChunking).timeouts(Timeouts.defaults().withAll(Duration.ofSeconds(20))).build();
            DeliveryResult result = client.deliver(Destination.parse(dovecot.unixDestination()),
                    Envelope.of("sender@origin.test", dovecot.address("alice")), Content.of(message));
            assertThat(result.allDelivered()).as("useChunking %s: %s", useChunking, result).isTrue();
        }

        List<byte[]> stored = dovecot.messages("alice");
        assertThat(stored).hasSize(before + 2);
        byte[] byData = afterDovecotHeaders(stored.get(before), tag);
        byte[] byBdat = afterDovecotHeaders(stored.get(before + 1), tag);
        assertThat(byBdat).as("stored by BDAT, byte for byte as by DATA").isEqualTo(byData).isEqualTo(expected);
        int lastChunk = expected.length % CHUNK_BYTES;
        assertThat(transcript).contains("C: DATA", "C: BDAT " + CHUNK_BYTES, "C: BDAT " + lastChunk + " LAST");
        assertThat(transcript.stream().filter(line -> line.startsWith("C: BDAT ")).count())
                .isEqualTo(expected.length / CHUNK_BYTES + 1);
    }

    @Test
    void bdatShouldResetAfterEveryRecipientWasRefusedAndDeliverTheNextMailOnTheSameConnection() throws Exception {
        List<String> transcript = new java.util.concurrent.CopyOnWriteArrayList<>();
        LmtpClient client = LmtpClient.builder().lhloName("client.test").transcript(Transcript.to(transcript::add))
                .timeouts(Timeouts.defaults().withAll(Duration.ofSeconds(20))).build();
        int before = dovecot.messages("alice").size();
        byte[] message = "Subject: after a refusal\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);

        LmtpConnection connection = client.connect(Destination.parse(dovecot.tcpDestination()));
        try {
            byte[] large = ("x".repeat(98) + "\r\n").repeat(3 * CHUNK_BYTES / 100).getBytes(StandardCharsets.US_ASCII);
            for (byte[] refusedMessage : List.of(large, message)) { // the first chunk not the last, then the LAST one
                DeliveryResult refused = connection.deliver(Envelope.of("sender@origin.test", dovecot.address("nobody")),
                        Content.of(refusedMessage));
                assertThat(refused.verdict(0).fate()).isEqualTo(Fate.BOUNCED);
                assertThat(refused.verdict(0).stage()).isEqualTo(Stage.RCPT);
                assertThat(connection.isUsable()).isTrue();
            }
            DeliveryResult next = connection.deliver(Envelope.of("sender@origin.test", dovecot.address("alice")), Content.of(message));
            assertThat(next.allDelivered()).as("%s", next).isTrue();
        } finally {
            connection.quit();
        }
        transcript.forEach(System.out::println);
        assertThat(dovecot.messages("alice")).hasSize(before + 1);
        assertThat(transcript).containsSubsequence("C: BDAT " + CHUNK_BYTES, "C: RSET",
                "C: BDAT " + message.length + " LAST", "C: RSET", "C: BDAT " + message.length + " LAST");
    }

    /** The stored file from our first header on: Dovecot prepends Return-Path, Received (and Delivered-To). */
    private static byte[] afterDovecotHeaders(byte[] stored, String tag) {
        String text = new String(stored, StandardCharsets.ISO_8859_1);
        int start = text.indexOf("From: sender@origin.test\r\n");
        assertThat(start).as("our first header in the stored message").isGreaterThan(0);
        assertThat(text).contains("Subject: " + tag);
        return text.substring(start).getBytes(StandardCharsets.ISO_8859_1);
    }
}
