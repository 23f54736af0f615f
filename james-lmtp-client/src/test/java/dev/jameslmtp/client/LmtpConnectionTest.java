package dev.jameslmtp.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.outcome.Verdict;
import dev.jameslmtp.client.session.LmtpConnection;
import dev.jameslmtp.client.session.Stage;
import dev.jameslmtp.client.session.Timeouts;
import dev.jameslmtp.client.wire.Transcript;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.RawLmtpPeer;
import dev.jameslmtp.testing.Response;

/** The conversation, byte for byte and fault by fault, against a scripted server on loopback. */
class LmtpConnectionTest {

    private static final Content MESSAGE = Content.of("Subject: hi\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
    private static final Timeouts QUICK = Timeouts.defaults().withAll(Duration.ofSeconds(5));

    private final List<String> transcript = new java.util.concurrent.CopyOnWriteArrayList<>(); // QUIT's reply may come on another thread
    private FakeLmtpServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private LmtpClient client() {
        return client(QUICK);
    }

    private LmtpClient client(Timeouts timeouts) {
        return LmtpClient.builder().lhloName("client.test").timeouts(timeouts)
                .transcript(Transcript.to(line -> {
                    synchronized (transcript) {
                        transcript.add(line);
                    }
                })).build();
    }

    /** Delivers, then waits (bounded) for the server to see the end of the conversation. */
    private DeliveryResult deliver(LmtpHandler handler, Envelope envelope, Content content) {
        server = FakeLmtpServer.start(handler);
        DeliveryResult result = client().deliver(tcp(), envelope, content);
        try {
            server.awaitClosed(0, Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return result;
    }

    private Destination tcp() {
        return Destination.parse("inet:[127.0.0.1]:" + server.port());
    }

    private static List<List<Object>> summaries(DeliveryResult result) {
        return java.util.stream.IntStream.range(0, result.verdicts().size()).mapToObj(i -> summary(result, i)).toList();
    }

    private static List<Object> summary(DeliveryResult result, int index) {
        Verdict o = result.verdict(index);
        return List.of(result.recipient(index), o.fate(), o.stage(), o.code(), o.status().toString());
    }

    @Test
    void deliverShouldSendTheExactBytesOfAPipelinedTransaction() throws InterruptedException {
        DeliveryResult result = deliver(LmtpHandler.defaults(), Envelope.of("sender@origin.test", "a@example.test", "b@example.test"), MESSAGE);

        assertThat(result.allDelivered()).isTrue();
        assertThat(server.awaitClosed(0, Duration.ofSeconds(5))).isTrue();
        assertThat(server.receivedText(0)).isEqualTo("LHLO client.test\r\n"
                + "MAIL FROM:<sender@origin.test>\r\n"
                + "RCPT TO:<a@example.test>\r\n"
                + "RCPT TO:<b@example.test>\r\n"
                + "DATA\r\n"
                + "Subject: hi\r\n\r\nbody\r\n.\r\n"
                + "QUIT\r\n");
        assertThat(result.verdicts()).extracting(o -> o.reply().orElseThrow().toString())
                .containsExactly("250 2.0.0 <a@example.test> Saved", "250 2.0.0 <b@example.test> Saved");
    }

    @Test
    void deliverShouldWriteMailRcptAndDataBeforeReadingAnyReplyWhenPipelining() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> beforeFirstReply = RawLmtpPeer.serve(listener, List.of("PIPELINING"), (in, out) -> {
                // Not one reply yet: a lock-step client would wait here for the MAIL reply.
                String group = RawLmtpPeer.readUntil(in, "DATA\r\n");
                out.write("250 ok\r\n550 5.1.1 no\r\n250 ok\r\n354 go\r\n".getBytes(StandardCharsets.US_ASCII));
                RawLmtpPeer.readUntil(in, "\r\n.\r\n");
                out.write("250 2.0.0 saved\r\n".getBytes(StandardCharsets.US_ASCII));
                RawLmtpPeer.readUntil(in, "QUIT\r\n");
                out.write("221 bye\r\n".getBytes(StandardCharsets.US_ASCII));
                return group;
            });

            DeliveryResult result = client().deliver(Destination.parse("inet:[127.0.0.1]:" + listener.getLocalPort()),
                    Envelope.of("s@x.test", "a@y.test", "b@y.test"), MESSAGE);

            assertThat(beforeFirstReply.get(10, TimeUnit.SECONDS))
                    .isEqualTo("MAIL FROM:<s@x.test>\r\nRCPT TO:<a@y.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n");
            assertThat(summaries(result)).containsExactly(
                    List.of("a@y.test", Fate.BOUNCED, Stage.RCPT, 550, "5.1.1"),
                    List.of("b@y.test", Fate.DELIVERED, Stage.DOT, 250, "2.0.0"));
        }
    }

    @Test
    void deliverShouldMatchRepliesAfterTheDotByPositionIncludingDuplicates() {
        LmtpHandler handler = new LmtpHandler() {
            @Override
            public Response rcpt(String args, int index) {
                return index == 1 ? Response.reply("550 5.1.1 User doesn't exist: x@example.test") : Response.reply("250 2.1.5 Ok");
            }

            @Override
            public List<Response> afterDot(List<String> accepted, byte[] body) {
                return List.of(Response.reply("250 2.0.0 <a@example.test> Saved"),
                        Response.reply("452 4.2.2 <a@example.test> Mailbox is full"),
                        Response.reply("552 5.2.2 <c@example.test> Quota exceeded"));
            }
        };

        DeliveryResult result = deliver(handler, Envelope.of("s@origin.test", "a@example.test", "x@example.test", "a@example.test", "c@example.test"), MESSAGE);

        assertThat(summaries(result)).containsExactly(
                List.of("a@example.test", Fate.DELIVERED, Stage.DOT, 250, "2.0.0"),
                List.of("x@example.test", Fate.BOUNCED, Stage.RCPT, 550, "5.1.1"),
                List.of("a@example.test", Fate.DEFERRED, Stage.DOT, 452, "4.2.2"),
                List.of("c@example.test", Fate.BOUNCED, Stage.DOT, 552, "5.2.2"));
        assertThat(result.verdicts().get(1).text()).isEqualTo("User doesn't exist: x@example.test");
    }

    @Test
    void deliverShouldNotSendTheBodyWhenNoRecipientWasAcceptedWhilePipelining() {
        LmtpHandler handler = new LmtpHandler() {
            @Override
            public Response rcpt(String args, int index) {
                return Response.reply("550 5.1.1 Unknown user");
            }
        };

        DeliveryResult result = deliver(handler, Envelope.of("s@o.test", "x@example.test", "y@example.test"), MESSAGE);

        assertThat(result.verdicts()).extracting(Verdict::fate, Verdict::code)
                .containsExactly(tuple(Fate.BOUNCED, 550), tuple(Fate.BOUNCED, 550));
        assertThat(server.commands(0)).containsExactly("LHLO client.test", "MAIL FROM:<s@o.test>", "RCPT TO:<x@example.test>",
                "RCPT TO:<y@example.test>", "DATA", "QUIT");
        assertThat(server.bodies(0)).isEmpty();
        assertThat(server.receivedText(0)).doesNotContain("Subject");
    }

    @Test
    void deliverShouldNotSendDataWhenNoRecipientWasAcceptedInLockStep() {
        LmtpHandler handler = new LmtpHandler() {
            @Override
            public List<String> capabilities() {
                return List.of("ENHANCEDSTATUSCODES");
            }

            @Override
            public Response rcpt(String args, int index) {
                return Response.reply("550 5.1.1 Unknown user");
            }
        };

        deliver(handler, Envelope.of("s@o.test", "x@example.test"), MESSAGE);

        assertThat(server.commands(0)).containsExactly("LHLO client.test", "MAIL FROM:<s@o.test>", "RCPT TO:<x@example.test>", "QUIT");
    }

    @Test
    void deliverShouldFailEveryRecipientWithTheMailReplyWhenMailIsRejected() {
        LmtpHandler handler = new LmtpHandler() {
            @Override
            public Response mail(String args) {
                return Response.reply("550 5.7.1 Sender rejected");
            }

            @Override
            public Response rcpt(String args, int index) {
                return Response.reply("503 5.5.1 MAIL needed first");
            }
        };

        DeliveryResult result = deliver(handler, Envelope.of("s@o.test", "a@example.test", "b@example.test"), MESSAGE);

        assertThat(summaries(result)).containsOnly(
                List.of("a@example.test", Fate.BOUNCED, Stage.MAIL, 550, "5.7.1"),
                List.of("b@example.test", Fate.BOUNCED, Stage.MAIL, 550, "5.7.1"));
        assertThat(server.bodies(0)).isEmpty();
    }

    @Test
    void deliverShouldDeferEveryRecipientWhenTheConnectionDropsAfterRcpt() {
        LmtpHandler handler = new LmtpHandler() {
            @Override
            public Response rcpt(String args, int index) {
                return index == 1 ? Response.drop() : Response.reply("250 2.1.5 Ok");
            }
        };

        DeliveryResult result = deliver(handler, Envelope.of("s@o.test", "a@example.test", "b@example.test", "c@example.test"), MESSAGE);

        assertThat(result.verdicts()).allSatisfy(o -> {
            assertThat(o.fate()).isEqualTo(Fate.DEFERRED);
            assertThat(o.status()).hasToString("4.4.2");
            assertThat(o.stage()).isEqualTo(Stage.RCPT);
            assertThat(o.reply()).isEmpty();
            assertThat(o.text()).startsWith("lost connection with inet:[127.0.0.1]:" + server.port() + " while sending RCPT TO");
        });
    }

    @Test
    void deliverShouldDeferOnlyRecipientsWithoutReplyWhenTheServerStallsBeforeTheLastReply() {
        LmtpHandler handler = new LmtpHandler() {
            @Override
            public List<Response> afterDot(List<String> accepted, byte[] body) {
                return List.of(Response.reply("250 2.0.0 Saved"), Response.stall());
            }
        };
        server = FakeLmtpServer.start(handler);

        DeliveryResult result = client(QUICK.with(Stage.DOT, Duration.ofMillis(400)))
                .deliver(tcp(), Envelope.of("s@o.test", "a@example.test", "b@example.test"), MESSAGE);

        assertThat(result.verdicts().get(0).fate()).isEqualTo(Fate.DELIVERED);
        Verdict second = result.verdict(1);
        assertThat(summary(result, 1)).isEqualTo(List.of("b@example.test", Fate.DEFERRED, Stage.DOT, 0, "4.4.2"));
        assertThat(second.text()).contains("timed out while sending end of data -- message may be sent more than once");
    }

    @Test
    void deliverShouldDeferMissingRepliesWhenTheServerSendsFewerRepliesThanAcceptedRecipients() {
        LmtpHandler handler = new LmtpHandler() {
            @Override
            public List<Response> afterDot(List<String> accepted, byte[] body) {
                return List.of(Response.reply("250 2.0.0 Saved"), Response.drop());
            }
        };

        DeliveryResult result = deliver(handler, Envelope.of("s@o.test", "a@example.test", "b@example.test", "c@example.test"), MESSAGE);

        assertThat(result.verdicts()).extracting(Verdict::fate).containsExactly(
                Fate.DELIVERED, Fate.DEFERRED, Fate.DEFERRED);
        assertThat(result.verdicts().get(2).text()).startsWith("lost connection with").contains("message may be sent more than once");
    }

    @Test
    void deliverShouldDeferEveryUndecidedRecipientWith421WhenTheServerShutsDownMidTransaction() {
        LmtpHandler handler = new LmtpHandler() {
            @Override
            public Response rcpt(String args, int index) {
                return index == 1 ? Response.replyThenDrop("421 4.3.2 Shutting down") : Response.reply("250 2.1.5 Ok");
            }
        };

        DeliveryResult result = deliver(handler, Envelope.of("s@o.test", "a@example.test", "b@example.test", "c@example.test"), MESSAGE);

        assertThat(summaries(result)).containsExactly(
                List.of("a@example.test", Fate.DEFERRED, Stage.RCPT, 421, "4.3.2"),
                List.of("b@example.test", Fate.DEFERRED, Stage.RCPT, 421, "4.3.2"),
                List.of("c@example.test", Fate.DEFERRED, Stage.RCPT, 421, "4.3.2"));
    }

    @Test
    void deliverShouldDeferWithProtocolErrorOnGarbageReplyLines() {
        LmtpHandler handler = new LmtpHandler() {
            @Override
            public List<Response> afterDot(List<String> accepted, byte[] body) {
                return List.of(Response.raw("250 2.0.0 ok\r\n"), Response.raw("garbage from the server\r\n"));
            }
        };
        server = FakeLmtpServer.start(handler);

        try (LmtpConnection connection = client().connect(tcp())) {
            DeliveryResult result = connection.deliver(Envelope.of("s@o.test", "a@example.test", "b@example.test"), MESSAGE);

            assertThat(summaries(result)).containsExactly(
                    List.of("a@example.test", Fate.DELIVERED, Stage.DOT, 250, "2.0.0"),
                    List.of("b@example.test", Fate.DEFERRED, Stage.DOT, 0, "4.5.0"));
            assertThat(result.verdicts().get(1).text()).contains("malformed reply line: garbage from the server");
            assertThat(connection.isUsable()).isFalse();
        } catch (LmtpConnectException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theVerbsShouldFollowTheWrittenDownStatesAndRefuseCommandsOutOfOrder() throws Exception {
        server = FakeLmtpServer.start(LmtpHandler.defaults());

        try (LmtpConnection connection = client().connect(tcp())) {
            assertThat(connection.state()).isEqualTo(LmtpConnection.State.READY);
            assertThatThrownBy(() -> connection.rcpt("a@example.test")).as("RCPT before MAIL")
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("rcpt() in state READY");

            assertThat(connection.mail("s@o.test").code()).isEqualTo(250);
            assertThat(connection.state()).isEqualTo(LmtpConnection.State.MAIL_GIVEN);
            assertThatThrownBy(() -> connection.mail("t@o.test")).as("a second MAIL")
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("mail() in state MAIL_GIVEN");
            assertThatThrownBy(() -> connection.deliver(Envelope.of("s@o.test", "a@example.test"), MESSAGE)).as("deliver inside a MAIL")
                    .isInstanceOf(IllegalStateException.class);
            assertThat(connection.rcpt("a@example.test").code()).isEqualTo(250);

            assertThat(connection.reset().code()).isEqualTo(250);
            assertThat(connection.state()).isEqualTo(LmtpConnection.State.READY);
            DeliveryResult result = connection.deliver(Envelope.of("s@o.test", "a@example.test"), MESSAGE);
            assertThat(result.verdicts()).extracting(Verdict::fate).containsExactly(Fate.DELIVERED);
            assertThat(connection.state()).isEqualTo(LmtpConnection.State.READY);

            connection.close();
            assertThat(connection.state()).isEqualTo(LmtpConnection.State.CLOSED);
            assertThatThrownBy(() -> connection.mail("s@o.test")).isInstanceOf(IOException.class).hasMessageContaining("closed");
            assertThatThrownBy(connection::reset).isInstanceOf(IOException.class);
            assertThat(connection.deliver(Envelope.of("s@o.test", "a@example.test"), MESSAGE).verdicts())
                    .extracting(Verdict::fate).containsExactly(Fate.DEFERRED);
        }
        assertThat(server.commands(0)).containsExactly("LHLO " + client().lhloName(), "MAIL FROM:<s@o.test>", "RCPT TO:<a@example.test>",
                "RSET", "MAIL FROM:<s@o.test>", "RCPT TO:<a@example.test>", "DATA");
    }

    @Test
    void aVerbWhoseExchangeFailsShouldCloseTheConnection() throws Exception {
        server = FakeLmtpServer.start(new LmtpHandler() {
            @Override
            public Response mail(String args) {
                return Response.drop();
            }
        });

        try (LmtpConnection connection = client().connect(tcp())) {
            assertThatThrownBy(() -> connection.mail("s@o.test")).isInstanceOf(IOException.class);
            assertThat(connection.state()).isEqualTo(LmtpConnection.State.CLOSED);
            assertThat(connection.isUsable()).isFalse();
        }
    }

    @Test
    void deliverShouldTreatAnUnexpectedReplyClassAsATemporaryProtocolError() {
        LmtpHandler handler = new LmtpHandler() {
            @Override
            public List<Response> afterDot(List<String> accepted, byte[] body) {
                return List.of(Response.reply("354 not what was asked"));
            }
        };

        DeliveryResult result = deliver(handler, Envelope.of("s@o.test", "a@example.test"), MESSAGE);

        Verdict outcome = result.verdict(0);
        assertThat(summary(result, 0)).isEqualTo(List.of("a@example.test", Fate.DEFERRED, Stage.DOT, 0, "4.5.0"));
        assertThat(outcome.text()).startsWith("protocol error: unexpected reply '354");
    }

    @Test
    void deliverShouldShowNoServerCodeButKeepTheReplyInTheTextWhenA2xxAnswersData() {
        LmtpHandler handler = new LmtpHandler() {
            @Override
            public Response data(int acceptedRecipients) {
                return Response.reply("250 2.0.0 Ok, but this is not a 354");
            }
        };

        DeliveryResult result = deliver(handler, Envelope.of("s@o.test", "a@example.test"), MESSAGE);

        Verdict outcome = result.verdict(0);
        assertThat(summary(result, 0)).isEqualTo(List.of("a@example.test", Fate.DEFERRED, Stage.DATA, 0, "4.5.0"));
        assertThat(outcome.reply()).isEmpty();
        assertThat(outcome.text()).contains("unexpected reply '250 2.0.0 Ok, but this is not a 354'");
        assertThat(outcome.toString()).doesNotContain(": 250");
    }

    @Test
    void deliverShouldRefuseAMessageOverTheAdvertisedSizeBeforeSendingMail() {
        DeliveryResult result = deliver(LmtpHandler.withCapabilities("PIPELINING", "ENHANCEDSTATUSCODES", "SIZE 10"),
                Envelope.of("s@o.test", "a@example.test"), MESSAGE);

        Verdict outcome = result.verdict(0);
        assertThat(summary(result, 0)).isEqualTo(List.of("a@example.test", Fate.BOUNCED, Stage.MAIL, 0, "5.3.4"));
        assertThat(outcome.text()).isEqualTo("message size 21 exceeds size limit 10 of server inet:[127.0.0.1]:" + server.port());
        assertThat(server.commands(0)).containsExactly("LHLO client.test", "QUIT");
    }

    @Test
    void mailShouldCarrySizeAndBodyParametersOnlyWhenOfferedAndNeeded() {
        Content eightBit = Content.of("Subject: caf\u00e9\r\n\r\n\u00e9t\u00e9\r\n".getBytes(StandardCharsets.ISO_8859_1));

        deliver(LmtpHandler.withCapabilities("PIPELINING", "8BITMIME", "SIZE 1000"), Envelope.of("s@o.test", "a@example.test"), eightBit);
        assertThat(server.commands(0).get(1)).isEqualTo("MAIL FROM:<s@o.test> BODY=8BITMIME SIZE=22");
        assertThat(server.bodies(0).get(0)).isEqualTo("Subject: caf\u00e9\r\n\r\n\u00e9t\u00e9\r\n".getBytes(StandardCharsets.ISO_8859_1));
        server.close();

        deliver(LmtpHandler.withCapabilities("PIPELINING", "8BITMIME"), Envelope.of("s@o.test", "a@example.test"), MESSAGE);
        assertThat(server.commands(0).get(1)).isEqualTo("MAIL FROM:<s@o.test>");
        server.close();

        deliver(LmtpHandler.withCapabilities("PIPELINING"), Envelope.of("s@o.test", "a@example.test"), eightBit);
        assertThat(server.commands(0).get(1)).isEqualTo("MAIL FROM:<s@o.test>");
    }

    @Test
    void deliverShouldFailOnlyUtf8RecipientsWhenSmtpUtf8IsNotOffered() {
        DeliveryResult result = deliver(LmtpHandler.defaults(), Envelope.of("s@o.test", "j\u00f6rg@example.test", "bob@example.test"), MESSAGE);

        assertThat(summaries(result)).containsExactly(
                List.of("j\u00f6rg@example.test", Fate.BOUNCED, Stage.RCPT, 0, "5.6.7"),
                List.of("bob@example.test", Fate.DELIVERED, Stage.DOT, 250, "2.0.0"));
        assertThat(server.receivedText(0)).doesNotContain("example.test>\r\nRCPT TO:<j");
        assertThat(server.commands(0)).noneMatch(c -> c.startsWith("RCPT TO:<j"));
    }

    @Test
    void deliverShouldAskForSmtpUtf8WhenOfferedAndAnAddressNeedsIt() {
        DeliveryResult result = deliver(LmtpHandler.withCapabilities("PIPELINING", "8BITMIME", "SMTPUTF8"),
                Envelope.of("s@o.test", "j\u00f6rg@example.test"), MESSAGE);

        assertThat(result.allDelivered()).isTrue();
        assertThat(new String(server.received(0), StandardCharsets.UTF_8))
                .contains("MAIL FROM:<s@o.test> SMTPUTF8\r\nRCPT TO:<j\u00f6rg@example.test>\r\n");
    }

    @Test
    void dsnParametersShouldPassThroughOnlyWhenTheServerOffersDsn() {
        Envelope envelope = new Envelope("s@o.test",
                List.of(new Recipient("a@example.test", Optional.of("SUCCESS,FAILURE"), Optional.of("rfc822;a+2Bx@example.test"))),
                Optional.of("HDRS"), Optional.of("QQ314159"));

        deliver(LmtpHandler.withCapabilities("PIPELINING", "DSN"), envelope, MESSAGE);
        assertThat(server.commands(0)).contains("MAIL FROM:<s@o.test> RET=HDRS ENVID=QQ314159",
                "RCPT TO:<a@example.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;a+2Bx@example.test");
        server.close();

        deliver(LmtpHandler.withCapabilities("PIPELINING"), envelope, MESSAGE);
        assertThat(server.commands(0)).contains("MAIL FROM:<s@o.test>", "RCPT TO:<a@example.test>");
    }

    @Test
    void secondTransactionOnAConnectionShouldStartWithRset() throws LmtpConnectException {
        server = FakeLmtpServer.start(LmtpHandler.defaults());

        try (LmtpConnection connection = client().connect(tcp())) {
            assertThat(connection.deliver(Envelope.of("s@o.test", "a@example.test"), MESSAGE).allDelivered()).isTrue();
            assertThat(connection.deliver(Envelope.of("", "b@example.test"), MESSAGE).allDelivered()).isTrue();
            assertThat(connection.transactions()).isEqualTo(2);
            connection.quit();
        }

        assertThat(server.commands(0)).containsExactly("LHLO client.test", "MAIL FROM:<s@o.test>", "RCPT TO:<a@example.test>", "DATA",
                "RSET", "MAIL FROM:<>", "RCPT TO:<b@example.test>", "DATA", "QUIT");
    }

    @Test
    void connectShouldReportCapabilitiesAndServerName() throws LmtpConnectException {
        server = FakeLmtpServer.start(LmtpHandler.withCapabilities("PIPELINING", "SIZE 5000", "AUTH PLAIN LOGIN", "AUTH=CRAM-MD5"));

        try (LmtpConnection connection = client().connect(tcp())) {
            assertThat(connection.serverName()).isEqualTo("fake.test");
            assertThat(connection.capabilities().pipelining()).isTrue();
            assertThat(connection.capabilities().sizeLimit()).hasValue(5000);
            assertThat(connection.capabilities().authMechanisms()).containsExactly("PLAIN", "LOGIN", "CRAM-MD5");
        }
    }

    @Test
    void connectShouldFailPermanentlyWhenTheGreetingIsNegativeAndSkip5xxGreetingIsOff() {
        server = FakeLmtpServer.start(new LmtpHandler() {
            @Override
            public Response greeting() {
                return Response.reply("554 5.3.2 Not accepting mail");
            }
        });
        LmtpClient strict = LmtpClient.builder().lhloName("client.test").timeouts(QUICK).skip5xxGreeting(false).build();

        assertThatThrownBy(() -> strict.connect(tcp()))
                .isInstanceOfSatisfying(LmtpConnectException.class, e -> {
                    assertThat(e.verdict().fate()).isEqualTo(Fate.BOUNCED);
                    assertThat(e.verdict().stage()).isEqualTo(Stage.GREETING);
                    assertThat(e.verdict().status()).hasToString("5.3.2");
                });
    }

    @Test
    void connectShouldFailWhenLhloIsRefusedAndSkip5xxGreetingIsOff() {
        server = FakeLmtpServer.start(new LmtpHandler() {
            @Override
            public Response lhlo(String arg) {
                return Response.reply("500 5.5.1 Unknown command");
            }
        });
        LmtpClient strict = LmtpClient.builder().lhloName("client.test").timeouts(QUICK).skip5xxGreeting(false).build();

        DeliveryResult result = strict.deliver(tcp(), Envelope.of("s@o.test", "a@example.test"), MESSAGE);

        assertThat(summary(result, 0)).isEqualTo(List.of("a@example.test", Fate.BOUNCED, Stage.LHLO, 500, "5.5.1"));
    }

    @Test
    void deliverShouldDeferEveryRecipientWhenTheGreetingIs5xx() {
        server = FakeLmtpServer.start(new LmtpHandler() {
            @Override
            public Response greeting() {
                return Response.reply("554 5.3.2 Not accepting mail");
            }
        });

        DeliveryResult result = client().deliver(tcp(), Envelope.of("s@o.test", "a@example.test", "b@example.test"), MESSAGE);

        assertThat(summaries(result)).containsExactly(
                List.of("a@example.test", Fate.DEFERRED, Stage.GREETING, 0, "4.3.2"),
                List.of("b@example.test", Fate.DEFERRED, Stage.GREETING, 0, "4.3.2"));
        assertThat(result.verdicts().get(0).text()).contains("refused to talk to me: 554 5.3.2 Not accepting mail");
    }

    @Test
    void deliverShouldDeferEveryRecipientWhenLhloIsAnswered5xx() {
        server = FakeLmtpServer.start(new LmtpHandler() {
            @Override
            public Response lhlo(String arg) {
                return Response.reply("550 5.7.1 Not configured for this client");
            }
        });

        DeliveryResult result = client().deliver(tcp(), Envelope.of("s@o.test", "a@example.test"), MESSAGE);

        assertThat(summary(result, 0)).isEqualTo(List.of("a@example.test", Fate.DEFERRED, Stage.LHLO, 0, "4.7.1"));
        assertThat(result.verdicts().get(0).text()).contains("550 5.7.1 Not configured for this client");
        assertThat(server.commands(0)).doesNotContain("MAIL FROM:<s@o.test>");
    }

    @Test
    void aReplyShouldTimeOutAtTheStageDeadlineWhenTheServerDripsItOneByteAtATime() throws Exception {
        LmtpHandler dripping = new LmtpHandler() {
            @Override
            public List<Response> afterDot(List<String> accepted, byte[] body) {
                // 36 bytes, 1.5 s apart: 54 s for a reply whose every read comes within the 2 s timeout.
                return List.of(Response.drip(Duration.ofMillis(1500), "250 2.0.0 <a@example.test> Saved ok"));
            }
        };
        server = FakeLmtpServer.start(dripping);
        LmtpClient client = client(QUICK.with(Stage.DOT, Duration.ofSeconds(2)));

        DeliveryResult result = CompletableFuture.supplyAsync(() -> client.deliver(tcp(), Envelope.of("s@o.test", "a@example.test"), MESSAGE))
                .get(20, TimeUnit.SECONDS);

        Verdict outcome = result.verdict(0);
        assertThat(summary(result, 0)).isEqualTo(List.of("a@example.test", Fate.DEFERRED, Stage.DOT, 0, "4.4.2"));
        assertThat(outcome.text()).contains("timed out while sending end of data");
    }

    @Test
    void deliverShouldReturnTheOutcomesWithoutWaitingForAQuitReplyThatNeverComes() throws Exception {
        server = FakeLmtpServer.start(new LmtpHandler() {
            @Override
            public Response quit() {
                return Response.stall();
            }
        });
        LmtpClient client = client(QUICK.with(Stage.QUIT, Duration.ofSeconds(120)));

        DeliveryResult result = CompletableFuture.supplyAsync(() -> client.deliver(tcp(), Envelope.of("s@o.test", "a@example.test"), MESSAGE))
                .get(20, TimeUnit.SECONDS);

        assertThat(result.allDelivered()).isTrue();
        assertThat(result.verdicts().get(0).reply().orElseThrow().toString()).isEqualTo("250 2.0.0 <a@example.test> Saved");
    }

    @Test
    void mailShouldDeclareTheSizeOfTheMessageAsSentWithCrlfLineEnds() {
        Content bareLf = Content.of("Subject: x\n\nline one\nline two".getBytes(StandardCharsets.US_ASCII)); // 29 bytes

        deliver(LmtpHandler.withCapabilities("PIPELINING", "SIZE 1000"), Envelope.of("s@o.test", "a@example.test"), bareLf);

        byte[] sent = "Subject: x\r\n\r\nline one\r\nline two\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(server.commands(0).get(1)).isEqualTo("MAIL FROM:<s@o.test> SIZE=" + sent.length);
        assertThat(server.bodies(0).get(0)).isEqualTo(sent);
    }

    @Test
    void deliverShouldRefuseAMessageWhoseSizeAsSentExceedsTheLimitEvenWhenItsRawSizeDoesNot() {
        Content bareLf = Content.of("x\n".repeat(10).getBytes(StandardCharsets.US_ASCII)); // 20 bytes raw, 30 as sent

        DeliveryResult result = deliver(LmtpHandler.withCapabilities("PIPELINING", "SIZE 25"), Envelope.of("s@o.test", "a@example.test"), bareLf);

        Verdict outcome = result.verdict(0);
        assertThat(summary(result, 0)).isEqualTo(List.of("a@example.test", Fate.BOUNCED, Stage.MAIL, 0, "5.3.4"));
        assertThat(outcome.text()).startsWith("message size 30 exceeds size limit 25");
    }

    @Test
    void secondTransactionShouldSendRsetInTheSameWriteAsMailWhenPipelining() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> secondGroup = RawLmtpPeer.serve(listener, List.of("PIPELINING"), (in, out) -> {
                RawLmtpPeer.readUntil(in, "DATA\r\n");
                out.write("250 ok\r\n250 ok\r\n354 go\r\n".getBytes(StandardCharsets.US_ASCII));
                RawLmtpPeer.readUntil(in, "\r\n.\r\n");
                out.write("250 2.0.0 saved\r\n".getBytes(StandardCharsets.US_ASCII));
                // No reply to RSET yet: a client that waits for it would never send MAIL.
                String group = RawLmtpPeer.readUntil(in, "DATA\r\n");
                out.write("250 reset\r\n250 ok\r\n250 ok\r\n354 go\r\n".getBytes(StandardCharsets.US_ASCII));
                RawLmtpPeer.readUntil(in, "\r\n.\r\n");
                out.write("250 2.0.0 saved again\r\n".getBytes(StandardCharsets.US_ASCII));
                return group;
            });

            try (LmtpConnection connection = client().connect(Destination.parse("inet:[127.0.0.1]:" + listener.getLocalPort()))) {
                assertThat(connection.deliver(Envelope.of("s@x.test", "a@y.test"), MESSAGE).allDelivered()).isTrue();
                DeliveryResult second = connection.deliver(Envelope.of("s@x.test", "b@y.test"), MESSAGE);

                assertThat(secondGroup.get(10, TimeUnit.SECONDS)).isEqualTo("RSET\r\nMAIL FROM:<s@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n");
                assertThat(summaries(second)).containsExactly(
                        List.of("b@y.test", Fate.DELIVERED, Stage.DOT, 250, "2.0.0"));
            }
        }
    }

    @Test
    void aNegativeReplyToAPipelinedRsetShouldDeferTheTransactionAndEndTheConnection() throws LmtpConnectException {
        server = FakeLmtpServer.start(new LmtpHandler() {
            @Override
            public Response rset() {
                return Response.reply("500 5.5.1 what RSET");
            }
        });

        try (LmtpConnection connection = client().connect(tcp())) {
            assertThat(connection.deliver(Envelope.of("s@o.test", "a@example.test"), MESSAGE).allDelivered()).isTrue();
            DeliveryResult second = connection.deliver(Envelope.of("s@o.test", "b@example.test"), MESSAGE);

            assertThat(summary(second, 0)).isEqualTo(List.of("b@example.test", Fate.DEFERRED, Stage.RSET, 0, "4.5.0"));
            assertThat(connection.isUsable()).isFalse();
        }
    }

    @Test
    void deliverShouldDeferWithConnectFailureWhenNobodyListens() throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }

        DeliveryResult result = client().deliver(Destination.parse("inet:[127.0.0.1]:" + port), Envelope.of("s@o.test", "a@example.test"), MESSAGE);

        Verdict outcome = result.verdict(0);
        assertThat(summary(result, 0)).isEqualTo(List.of("a@example.test", Fate.DEFERRED, Stage.CONNECT, 0, "4.4.1"));
        assertThat(outcome.text()).startsWith("connect to inet:[127.0.0.1]:" + port + ": ");
    }

    @Test
    void greetingTimeoutShouldBeHonouredOnUnixSockets() throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "sockets"));
        Path socket = Files.createTempFile(dir, "stall", ".sock");
        Files.delete(socket);
        server = FakeLmtpServer.startUnix(socket, new LmtpHandler() {
            @Override
            public Response greeting() {
                return Response.stall();
            }
        });
        long start = System.nanoTime();

        DeliveryResult result = client(QUICK.with(Stage.GREETING, Duration.ofMillis(300)))
                .deliver(Destination.parse("unix:" + socket.toAbsolutePath()), Envelope.of("s@o.test", "a@example.test"), MESSAGE);

        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        Verdict outcome = result.verdict(0);
        assertThat(summary(result, 0)).isEqualTo(List.of("a@example.test", Fate.DEFERRED, Stage.GREETING, 0, "4.4.2"));
        assertThat(outcome.text()).contains("timed out while receiving the initial server greeting");
        assertThat(elapsedMillis).isLessThan(4000);
    }

    @Test
    void deliverShouldWorkOverAUnixSocket() throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "sockets"));
        Path socket = Files.createTempFile(dir, "lmtp", ".sock");
        Files.delete(socket);
        server = FakeLmtpServer.startUnix(socket, LmtpHandler.defaults());

        DeliveryResult result = client().deliver(Destination.parse("unix:" + socket.toAbsolutePath()),
                Envelope.of("s@o.test", "a@example.test"), MESSAGE);

        assertThat(result.allDelivered()).isTrue();
        assertThat(server.bodies(0).get(0)).isEqualTo("Subject: hi\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void bodyWriteShouldTimeOutWhenTheServerStopsReading() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setReceiveBufferSize(4096);
            CompletableFuture<Void> serverSide = CompletableFuture.runAsync(() -> {
                try (Socket socket = listener.accept()) {
                    socket.setSoTimeout(10_000);
                    OutputStream out = socket.getOutputStream();
                    InputStream in = socket.getInputStream();
                    out.write("220 ready\r\n".getBytes(StandardCharsets.US_ASCII));
                    RawLmtpPeer.readUntil(in, "\r\n");
                    out.write("250-raw\r\n250 PIPELINING\r\n".getBytes(StandardCharsets.US_ASCII));
                    RawLmtpPeer.readUntil(in, "DATA\r\n");
                    out.write("250 ok\r\n250 ok\r\n354 go\r\n".getBytes(StandardCharsets.US_ASCII));
                    // ...and never read again, until the client gives up and closes.
                    Thread.sleep(8_000);
                } catch (IOException | InterruptedException ignored) {
                    // the client closed first: expected
                }
            });
            Content endless = out -> {
                byte[] line = "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\r\n".getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < 1_000_000; i++) { // 74 MB: far more than any socket buffer
                    out.write(line);
                }
            };
            long start = System.nanoTime();

            DeliveryResult result = client(QUICK.with(Stage.BODY, Duration.ofMillis(500)))
                    .deliver(Destination.parse("inet:[127.0.0.1]:" + listener.getLocalPort()), Envelope.of("s@o.test", "a@y.test"), endless);

            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            Verdict outcome = result.verdict(0);
            assertThat(summary(result, 0)).isEqualTo(List.of("a@y.test", Fate.DEFERRED, Stage.BODY, 0, "4.4.2"));
            assertThat(outcome.text()).contains("timed out while sending message body");
            assertThat(elapsedMillis).isLessThan(7000);
            serverSide.cancel(true);
        }
    }

    @Test
    void contentThatCannotBeReadShouldDeferWithoutEndingTheData() {
        int[] calls = {0};
        byte[] large = ("Subject: partial\r\n\r\n" + "first line\r\n".repeat(30_000)).getBytes(StandardCharsets.US_ASCII);
        Content failing = out -> { // larger than the read-ahead buffer: measured on a first read, then streamed
            out.write(large);
            if (calls[0]++ > 0) {
                throw new IOException("disk error");
            }
        };

        DeliveryResult result = deliver(LmtpHandler.defaults(), Envelope.of("s@o.test", "a@example.test"), failing);

        Verdict outcome = result.verdict(0);
        assertThat(summary(result, 0)).isEqualTo(List.of("a@example.test", Fate.DEFERRED, Stage.BODY, 0, "4.3.0"));
        assertThat(outcome.text()).contains("disk error");
        assertThat(server.bodies(0)).as("the server must never see the final dot of a truncated message").isEmpty();
    }

    @Test
    void transcriptShouldShowTheConversationWithoutTheMessage() {
        deliver(LmtpHandler.defaults(), Envelope.of("s@o.test", "a@example.test"), MESSAGE);

        assertThat(transcript).containsSubsequence("S: 220 fake.test LMTP ready", "C: LHLO client.test", "S: 250-fake.test",
                "C: MAIL FROM:<s@o.test>", "C: RCPT TO:<a@example.test>", "C: DATA", "S: 250 2.1.0 Ok", "S: 250 2.1.5 Ok",
                "S: 354 go ahead", "C: [21 bytes of message content]", "C: .", "S: 250 2.0.0 <a@example.test> Saved", "C: QUIT");
        assertThat(transcript).noneMatch(line -> line.contains("body"));
    }
}
