package dev.jameslmtp.client.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.Content;
import dev.jameslmtp.client.ContentInfo;
import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.Envelope;
import dev.jameslmtp.client.LmtpClient;
import dev.jameslmtp.client.LmtpConnectException;
import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.outcome.Trouble;
import dev.jameslmtp.client.outcome.Verdict;
import dev.jameslmtp.client.wire.Transcript;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.RawLmtpPeer;
import dev.jameslmtp.testing.Response;

/** The message in BDAT chunks (RFC 3030) to a server offering CHUNKING: exact bytes, replies by position, every fault. */
class BdatTransferTest {

    private static final byte[] SMALL = "Subject: hi\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final Timeouts QUICK = Timeouts.defaults().withAll(Duration.ofSeconds(5));
    private static final int CHUNK = BdatTransfer.CHUNK_BYTES;

    private final List<String> transcript = new CopyOnWriteArrayList<>();
    private FakeLmtpServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private LmtpClient client(Timeouts timeouts, boolean useChunking) {
        return LmtpClient.builder().lhloName("client.test").timeouts(timeouts).useChunking(useChunking)
                .transcript(Transcript.to(transcript::add)).build();
    }

    private LmtpConnection connect(LmtpHandler handler, Timeouts timeouts) throws LmtpConnectException {
        server = FakeLmtpServer.start(handler);
        return client(timeouts, true).connect(Destination.parse("inet:[127.0.0.1]:" + server.port()));
    }

    /** One transaction on a connection of its own, QUIT awaited, so that every byte sent is recorded. */
    private DeliveryResult deliver(LmtpHandler handler, Envelope envelope, byte[] message) throws Exception {
        return deliver(handler, envelope, message, QUICK);
    }

    private DeliveryResult deliver(LmtpHandler handler, Envelope envelope, byte[] message, Timeouts timeouts) throws Exception {
        LmtpConnection connection = connect(handler, timeouts);
        DeliveryResult result = connection.deliver(envelope, Content.of(message));
        connection.quit();
        server.awaitClosed(0, Duration.ofSeconds(5));
        return result;
    }

    private static LmtpHandler chunking(String... extra) {
        List<String> capabilities = new ArrayList<>(LmtpHandler.CHUNKING_CAPABILITIES);
        capabilities.addAll(List.of(extra));
        return LmtpHandler.withCapabilities(capabilities.toArray(String[]::new));
    }

    private static List<List<Object>> summaries(DeliveryResult result) {
        return IntStream.range(0, result.verdicts().size()).mapToObj(i -> {
            Verdict o = result.verdict(i);
            return List.<Object>of(result.recipient(i), o.fate(), o.stage(), o.code(), o.status().toString());
        }).toList();
    }

    /** {@code size} bytes in lines of 100 ending with CRLF, the last one too: sent as they are. */
    private static byte[] message(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) ('a' + i % 26);
            if (i % 100 == 99 || i == size - 1) {
                bytes[i] = '\n';
                bytes[i - 1] = '\r';
            }
        }
        return bytes;
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    @Test
    void deliverShouldSendMailRcptAndTheWholeMessageAsOneLastChunkBeforeReadingAnyReply() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> beforeFirstReply = RawLmtpPeer.serve(listener, List.of("PIPELINING", "CHUNKING"), (in, out) -> {
                // Not one reply yet: the client must send the chunk without waiting for MAIL's reply.
                String group = RawLmtpPeer.readUntil(in, "BDAT " + SMALL.length + " LAST\r\n") + new String(in.readNBytes(SMALL.length),
                        StandardCharsets.US_ASCII);
                out.write("250 ok\r\n550 5.1.1 no\r\n250 ok\r\n250 2.0.0 <b@y.test> saved\r\n".getBytes(StandardCharsets.US_ASCII));
                RawLmtpPeer.readUntil(in, "QUIT\r\n");
                out.write("221 bye\r\n".getBytes(StandardCharsets.US_ASCII));
                return group;
            });

            DeliveryResult result = client(QUICK, true).deliver(Destination.parse("inet:[127.0.0.1]:" + listener.getLocalPort()),
                    Envelope.of("s@x.test", "a@y.test", "b@y.test"), Content.of(SMALL));

            assertThat(beforeFirstReply.get(10, TimeUnit.SECONDS)).isEqualTo("MAIL FROM:<s@x.test>\r\nRCPT TO:<a@y.test>\r\n"
                    + "RCPT TO:<b@y.test>\r\nBDAT 21 LAST\r\nSubject: hi\r\n\r\nbody\r\n");
            assertThat(summaries(result)).containsExactly(
                    List.of("a@y.test", Fate.BOUNCED, Stage.RCPT, 550, "5.1.1"),
                    List.of("b@y.test", Fate.DELIVERED, Stage.DOT, 250, "2.0.0"));
        }
    }

    @Test
    void deliverShouldSendTheExactBytesWithoutDotStuffingAndWithLineEndsMadeCrlf() throws Exception {
        byte[] message = ".hidden\n..two\rthree\r\n.\r\nlast".getBytes(StandardCharsets.US_ASCII);
        byte[] expected = ".hidden\r\n..two\r\nthree\r\n.\r\nlast\r\n".getBytes(StandardCharsets.US_ASCII);

        DeliveryResult result = deliver(chunking("SIZE 100000"), Envelope.of("s@x.test", "a@y.test"), message);

        assertThat(result.allDelivered()).isTrue();
        assertThat(server.receivedText(0)).isEqualTo("LHLO client.test\r\n"
                + "MAIL FROM:<s@x.test> SIZE=" + expected.length + "\r\n"
                + "RCPT TO:<a@y.test>\r\n"
                + "BDAT " + expected.length + " LAST\r\n" + text(expected)
                + "QUIT\r\n");
        assertThat(server.bodies(0)).singleElement().isEqualTo(expected);
        assertThat(server.commands(0)).noneMatch(line -> line.equals("DATA") || line.equals("."));
    }

    @Test
    void deliverShouldCutALargeMessageIntoFullChunksAndNeverEndWithAnEmptyOneButForAnEmptyMessage() throws Exception {
        byte[] large = message(2 * CHUNK + 100);
        DeliveryResult result = deliver(chunking(), Envelope.of("s@x.test", "a@y.test"), large);
        assertThat(result.allDelivered()).isTrue();
        assertThat(server.commands(0)).containsSubsequence("BDAT " + CHUNK, "BDAT " + CHUNK, "BDAT 100 LAST");
        assertThat(server.chunks(0)).extracting(chunk -> chunk.length).containsExactly(CHUNK, CHUNK, 100);
        assertThat(server.bodies(0)).singleElement().isEqualTo(large);
        server.close();

        byte[] exact = "x".repeat(2 * CHUNK - 2).concat("\r\n").getBytes(StandardCharsets.US_ASCII);
        deliver(chunking(), Envelope.of("s@x.test", "a@y.test"), exact);
        assertThat(server.commands(0)).containsSubsequence("BDAT " + CHUNK, "BDAT " + CHUNK + " LAST");
        server.close();

        assertThat(deliver(chunking(), Envelope.of("s@x.test", "a@y.test"), new byte[0]).allDelivered()).isTrue();
        assertThat(server.commands(0)).contains("BDAT 0 LAST");
    }

    @Test
    void deliverShouldMatchTheRepliesAfterLastByPositionIncludingDuplicatesAndTellEachAsItIsRead() throws Exception {
        LmtpHandler handler = new Chunking() {
            @Override
            public Response rcpt(String args, int index) {
                return index == 1 ? Response.reply("550 5.1.1 unknown") : Response.reply("250 2.1.5 ok");
            }

            @Override
            public List<Response> afterLastChunk(List<String> accepted, byte[] body) {
                return List.of(Response.reply("250 2.0.0 saved"), Response.reply("452 4.2.2 full"), Response.reply("552 5.2.2 over"));
            }
        };
        List<String> told = new CopyOnWriteArrayList<>();
        LmtpConnection connection = connect(handler, QUICK);
        DeliveryResult result = connection.deliver(Envelope.of("s@x.test", "a@example.test", "b@example.test", "a@example.test",
                "c@example.test"), Content.of(message(3 * CHUNK)), (index, verdict) -> told.add(index + ":" + verdict.code()));
        connection.quit();

        assertThat(summaries(result)).containsExactly(
                List.of("a@example.test", Fate.DELIVERED, Stage.DOT, 250, "2.0.0"),
                List.of("b@example.test", Fate.BOUNCED, Stage.RCPT, 550, "5.1.1"),
                List.of("a@example.test", Fate.DEFERRED, Stage.DOT, 452, "4.2.2"),
                List.of("c@example.test", Fate.BOUNCED, Stage.DOT, 552, "5.2.2"));
        assertThat(told).containsExactly("1:550", "0:250", "2:452", "3:552");
    }

    @Test
    void deliverShouldSendBdatOnlyAfterTheRcptRepliesWithoutPipeliningAndNoneWhenEveryRcptIsRefused() throws Exception {
        DeliveryResult result = deliver(LmtpHandler.withCapabilities("CHUNKING", "ENHANCEDSTATUSCODES"),
                Envelope.of("s@x.test", "a@y.test"), SMALL);
        assertThat(result.allDelivered()).isTrue();
        assertThat(server.receivedText(0)).isEqualTo("LHLO client.test\r\nMAIL FROM:<s@x.test>\r\nRCPT TO:<a@y.test>\r\n"
                + "BDAT 21 LAST\r\n" + text(SMALL) + "QUIT\r\n");
        server.close();

        LmtpHandler nobody = new LmtpHandler() {
            @Override
            public List<String> capabilities() {
                return List.of("CHUNKING");
            }

            @Override
            public Response rcpt(String args, int index) {
                return Response.reply("550 5.1.1 unknown");
            }
        };
        result = deliver(nobody, Envelope.of("s@x.test", "a@y.test"), SMALL);
        assertThat(summaries(result)).containsExactly(List.of("a@y.test", Fate.BOUNCED, Stage.RCPT, 550, "5.1.1"));
        assertThat(server.commands(0)).containsExactly("LHLO client.test", "MAIL FROM:<s@x.test>", "RCPT TO:<a@y.test>", "QUIT");
    }

    @Test
    void deliverShouldReadTheChunksReplyThenResetWhenEveryPipelinedRcptWasRefused() throws Exception {
        LmtpHandler handler = new Chunking() {
            @Override
            public Response rcpt(String args, int index) {
                return args.contains("nobody") ? Response.reply("550 5.1.1 unknown") : Response.reply("250 2.1.5 ok");
            }
        };
        LmtpConnection connection = connect(handler, QUICK);
        DeliveryResult refused = connection.deliver(Envelope.of("s@x.test", "nobody@y.test"), Content.of(message(CHUNK + 10)));
        DeliveryResult small = connection.deliver(Envelope.of("s@x.test", "nobody@y.test"), Content.of(SMALL));
        assertThat(connection.isUsable()).isTrue();
        DeliveryResult next = connection.deliver(Envelope.of("s@x.test", "a@y.test"), Content.of(SMALL));
        connection.quit();
        server.awaitClosed(0, Duration.ofSeconds(5));

        assertThat(summaries(refused)).containsExactly(List.of("nobody@y.test", Fate.BOUNCED, Stage.RCPT, 550, "5.1.1"));
        assertThat(summaries(small)).containsExactly(List.of("nobody@y.test", Fate.BOUNCED, Stage.RCPT, 550, "5.1.1"));
        assertThat(next.allDelivered()).isTrue();
        assertThat(server.commands(0)).containsExactly("LHLO client.test",
                "MAIL FROM:<s@x.test>", "RCPT TO:<nobody@y.test>", "BDAT " + CHUNK, "RSET",
                "RSET", "MAIL FROM:<s@x.test>", "RCPT TO:<nobody@y.test>", "BDAT 21 LAST", "RSET",
                "RSET", "MAIL FROM:<s@x.test>", "RCPT TO:<a@y.test>", "BDAT 21 LAST", "QUIT");
        assertThat(transcript).contains("S: 503 5.5.1 No valid recipients");
    }

    @Test
    void deliverShouldGiveEveryRecipientTheMailRefusalAndResetAfterThePipelinedChunk() throws Exception {
        LmtpHandler handler = new Chunking() {
            @Override
            public Response mail(String args) {
                return Response.reply("451 4.3.0 try later");
            }

            @Override
            public Response rcpt(String args, int index) {
                return Response.reply("503 5.5.1 MAIL first");
            }
        };
        DeliveryResult result = deliver(handler, Envelope.of("s@x.test", "a@y.test", "b@y.test"), SMALL);

        assertThat(summaries(result)).containsExactly(List.of("a@y.test", Fate.DEFERRED, Stage.MAIL, 451, "4.3.0"),
                List.of("b@y.test", Fate.DEFERRED, Stage.MAIL, 451, "4.3.0"));
        assertThat(server.commands(0)).containsSubsequence("BDAT 21 LAST", "RSET", "QUIT");
    }

    /** A store that refuses chunk {@code refused} with {@code reply}. */
    private static LmtpHandler refusingChunk(int refused, String reply) {
        return new Chunking() {
            @Override
            public Response bdat(int chunk, byte[] octets, int acceptedRecipients) {
                return chunk == refused ? Response.reply(reply) : Response.reply("250 2.0.0 ok");
            }
        };
    }

    @Test
    void deliverShouldGiveEveryAcceptedRecipientTheRefusalOfAChunkSendNoMoreAndReset() throws Exception {
        LmtpConnection connection = connect(refusingChunk(1, "552 5.3.4 Message too big"), QUICK);
        DeliveryResult result = connection.deliver(Envelope.of("s@x.test", "a@y.test", "b@y.test"), Content.of(message(5 * CHUNK)));
        assertThat(connection.isUsable()).isTrue();
        DeliveryResult next = connection.deliver(Envelope.of("s@x.test", "a@y.test"), Content.of(SMALL));
        connection.quit();
        server.awaitClosed(0, Duration.ofSeconds(5));

        assertThat(summaries(result)).containsExactly(List.of("a@y.test", Fate.BOUNCED, Stage.BDAT, 552, "5.3.4"),
                List.of("b@y.test", Fate.BOUNCED, Stage.BDAT, 552, "5.3.4"));
        assertThat(next.allDelivered()).isTrue();
        assertThat(server.commands(0)).containsExactly("LHLO client.test", "MAIL FROM:<s@x.test>", "RCPT TO:<a@y.test>",
                "RCPT TO:<b@y.test>", "BDAT " + CHUNK, "BDAT " + CHUNK, "RSET",
                "RSET", "MAIL FROM:<s@x.test>", "RCPT TO:<a@y.test>", "BDAT 21 LAST", "QUIT");
    }

    @Test
    void deliverShouldDeferOnATemporaryRefusalOfTheFirstChunk() throws Exception {
        DeliveryResult result = deliver(refusingChunk(0, "451 4.3.0 Temporary failure"), Envelope.of("s@x.test", "a@y.test"),
                message(CHUNK + 1));

        assertThat(summaries(result)).containsExactly(List.of("a@y.test", Fate.DEFERRED, Stage.BDAT, 451, "4.3.0"));
        assertThat(server.commands(0)).containsSubsequence("BDAT " + CHUNK, "RSET", "QUIT").doesNotContain("BDAT 1 LAST");
    }

    @Test
    void deliverShouldDeferAndCloseWhenTheServerClosesWith421AfterAChunk() throws Exception {
        LmtpConnection connection = connect(refusingChunk(0, "421 4.3.2 Shutting down"), QUICK);
        DeliveryResult result = connection.deliver(Envelope.of("s@x.test", "a@y.test"), Content.of(message(CHUNK + 1)));

        assertThat(summaries(result)).containsExactly(List.of("a@y.test", Fate.DEFERRED, Stage.BDAT, 421, "4.3.2"));
        assertThat(connection.isUsable()).isFalse();
    }

    @Test
    void deliverShouldDeferWhenTheConnectionIsLostInTheMiddleOfAChunk() throws Exception {
        LmtpHandler handler = new Chunking() {
            @Override
            public Optional<Response> midChunk(int chunk, int octets, boolean last) {
                return chunk == 1 ? Optional.of(Response.drop()) : Optional.empty();
            }
        };
        LmtpConnection connection = connect(handler, QUICK);
        DeliveryResult result = connection.deliver(Envelope.of("s@x.test", "a@y.test"), Content.of(message(40 * CHUNK)));

        assertThat(summaries(result)).containsExactly(List.of("a@y.test", Fate.DEFERRED, Stage.BDAT, 0, "4.4.2"));
        assertThat(result.verdict(0).text()).contains("while sending message body in BDAT chunks").doesNotContain("more than once");
        assertThat(connection.isUsable()).isFalse();
    }

    @Test
    void deliverShouldWarnOfASecondDeliveryWhenTheConnectionIsLostInTheLastChunk() throws Exception {
        LmtpHandler handler = new Chunking() {
            @Override
            public Optional<Response> midChunk(int chunk, int octets, boolean last) {
                return last ? Optional.of(Response.drop()) : Optional.empty();
            }
        };
        DeliveryResult result = deliver(handler, Envelope.of("s@x.test", "a@y.test"), message(CHUNK + 500));

        assertThat(summaries(result)).containsExactly(List.of("a@y.test", Fate.DEFERRED, Stage.DOT, 0, "4.4.2"));
        assertThat(result.verdict(0).text()).contains("message may be sent more than once");
    }

    @Test
    void deliverShouldCountALostConnectionWhileReadingPipelinedRcptRepliesAfterALastChunkAsAfterTheDot() throws Exception {
        LmtpHandler handler = new Chunking() {
            @Override
            public Response rcpt(String args, int index) {
                return Response.drop();
            }
        };
        DeliveryResult result = deliver(handler, Envelope.of("s@x.test", "a@y.test"), SMALL);

        assertThat(summaries(result)).containsExactly(List.of("a@y.test", Fate.DEFERRED, Stage.DOT, 0, "4.4.2"));
        assertThat(Trouble.serverFailed(result.verdict(0))).as("not sent on to another server of a list").isFalse();
    }

    @Test
    void deliverShouldKeepALostConnectionAtMailWithoutPipeliningForNothingWasSent() throws Exception {
        LmtpHandler handler = new LmtpHandler() {
            @Override
            public List<String> capabilities() {
                return List.of("CHUNKING", "ENHANCEDSTATUSCODES");
            }

            @Override
            public Response mail(String args) {
                return Response.drop();
            }
        };
        DeliveryResult result = deliver(handler, Envelope.of("s@x.test", "a@y.test"), SMALL);

        assertThat(summaries(result)).containsExactly(List.of("a@y.test", Fate.DEFERRED, Stage.MAIL, 0, "4.4.2"));
        assertThat(Trouble.serverFailed(result.verdict(0))).as("may go to the next server of a list").isTrue();
        assertThat(server.commands(0)).noneMatch(line -> line.startsWith("BDAT"));
    }

    @Test
    void deliverShouldDeferWhenTheServerStallsBetweenChunks() throws Exception {
        LmtpHandler handler = new Chunking() {
            @Override
            public Response bdat(int chunk, byte[] octets, int acceptedRecipients) {
                return chunk == 2 ? Response.stall() : Response.reply("250 2.0.0 ok");
            }
        };
        LmtpConnection connection = connect(handler, QUICK.with(Stage.BDAT, Duration.ofMillis(400)));
        long start = System.nanoTime();
        DeliveryResult result = connection.deliver(Envelope.of("s@x.test", "a@y.test"), Content.of(message(10 * CHUNK)));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        assertThat(summaries(result)).containsExactly(List.of("a@y.test", Fate.DEFERRED, Stage.BDAT, 0, "4.4.2"));
        assertThat(result.verdict(0).text()).contains("timed out while sending message body in BDAT chunks");
        assertThat(connection.isUsable()).isFalse();
    }

    @Test
    void deliverShouldDeferTheRecipientsLeftWithoutAReplyAfterLastAndWarn() throws Exception {
        LmtpHandler handler = new Chunking() {
            @Override
            public List<Response> afterLastChunk(List<String> accepted, byte[] body) {
                return List.of(Response.reply("250 2.0.0 saved"), Response.stall());
            }
        };
        LmtpConnection connection = connect(handler, QUICK.with(Stage.DOT, Duration.ofMillis(400)));
        DeliveryResult result = connection.deliver(Envelope.of("s@x.test", "a@y.test", "b@y.test"), Content.of(message(CHUNK + 3)));

        assertThat(summaries(result)).containsExactly(List.of("a@y.test", Fate.DELIVERED, Stage.DOT, 250, "2.0.0"),
                List.of("b@y.test", Fate.DEFERRED, Stage.DOT, 0, "4.4.2"));
        assertThat(result.verdict(1).text()).contains("timed out", "message may be sent more than once");
    }

    @Test
    void deliverShouldNotStallALargeDeliveryBetweenChunks() throws Exception {
        // Each chunk must be flushed whole before its reply is awaited: a client that kept the
        // end of a chunk in its buffer would wait for a reply the server cannot send yet.
        byte[] large = message(5 * 1024 * 1024 + 7);
        LmtpConnection connection = connect(chunking(), QUICK.with(Stage.BDAT, Duration.ofSeconds(2)));
        DeliveryResult result = connection.deliver(Envelope.of("s@x.test", "a@y.test"), Content.of(large));
        connection.quit();
        server.awaitClosed(0, Duration.ofSeconds(5));

        assertThat(result.allDelivered()).isTrue();
        assertThat(server.chunks(0)).hasSize(large.length / CHUNK + 1);
        assertThat(server.bodies(0)).singleElement().isEqualTo(large);
    }

    @Test
    void deliverShouldDeclareEightBitContentAsWithDataAndNoBinaryMime() throws Exception {
        byte[] eightBit = "Subject: caf\u00e9\r\n\r\nna\u00efve\r\n".getBytes(StandardCharsets.UTF_8);
        DeliveryResult result = deliver(chunking(), Envelope.of("s@x.test", "a@y.test"), eightBit);

        assertThat(result.allDelivered()).isTrue();
        assertThat(server.commands(0)).contains("MAIL FROM:<s@x.test> BODY=8BITMIME", "BDAT " + eightBit.length + " LAST");
        assertThat(server.bodies(0)).singleElement().isEqualTo(eightBit);
    }

    @Test
    void bufferShouldFitTheMessageRoundedUpToAPowerOfTwoAtMostOneChunkAndBeKeptWhenLargeEnough() {
        byte[] small = BdatTransfer.buffer(null, new ContentInfo(21, false));
        assertThat(small).hasSize(8 * 1024);
        assertThat(BdatTransfer.buffer(small, new ContentInfo(8 * 1024, false))).isSameAs(small);
        byte[] larger = BdatTransfer.buffer(small, new ContentInfo(10_000, false));
        assertThat(larger).hasSize(16 * 1024);
        assertThat(BdatTransfer.buffer(larger, new ContentInfo(50L << 20, false))).hasSize(CHUNK);
        assertThat(BdatTransfer.buffer(null, null)).as("size unknown").hasSize(CHUNK);
        assertThat(BdatTransfer.buffer(larger, new ContentInfo(100, false))).isSameAs(larger);
    }

    @Test
    void deliverShouldUseDataWhenUseChunkingIsOff() throws Exception {
        server = FakeLmtpServer.start(chunking());
        LmtpConnection connection = client(QUICK, false).connect(Destination.parse("inet:[127.0.0.1]:" + server.port()));
        DeliveryResult result = connection.deliver(Envelope.of("s@x.test", "a@y.test"), Content.of(SMALL));
        connection.quit();
        server.awaitClosed(0, Duration.ofSeconds(5));

        assertThat(result.allDelivered()).isTrue();
        assertThat(server.commands(0)).contains("DATA").noneMatch(line -> line.startsWith("BDAT"));
    }

    /** A store that offers CHUNKING; each test overrides what it scripts. */
    private abstract static class Chunking implements LmtpHandler {
        @Override
        public List<String> capabilities() {
            return CHUNKING_CAPABILITIES;
        }
    }
}
