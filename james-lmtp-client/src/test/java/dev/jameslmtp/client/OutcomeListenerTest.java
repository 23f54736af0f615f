package dev.jameslmtp.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.outcome.Verdict;
import dev.jameslmtp.client.session.LmtpConnection;
import dev.jameslmtp.client.session.Stage;
import dev.jameslmtp.client.session.Timeouts;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.Response;

/** The caller learns each recipient's reply as it is read, not when the transaction ends. */
class OutcomeListenerTest {

    private static final Content MESSAGE = Content.of("Subject: hi\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));

    private FakeLmtpServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private LmtpConnection connect(Timeouts timeouts) throws LmtpConnectException {
        return LmtpClient.builder().lhloName("client.test").timeouts(timeouts).build()
                .connect(Destination.parse("inet:[127.0.0.1]:" + server.port()));
    }

    @Test
    void deliverShouldTellTheFirstReplyAfterTheDotWhileTheServerStillHoldsTheSecond() throws Exception {
        server = FakeLmtpServer.start(new LmtpHandler() {
            @Override
            public List<Response> afterDot(List<String> accepted, byte[] body) {
                return List.of(Response.reply("250 2.0.0 <a@example.test> Saved"), Response.stall());
            }
        });
        CompletableFuture<Told> told = new CompletableFuture<>();
        try (LmtpConnection connection = connect(Timeouts.defaults().withAll(Duration.ofSeconds(5)).with(Stage.DOT, Duration.ofSeconds(30)))) {
            CompletableFuture<DeliveryResult> delivery = CompletableFuture.supplyAsync(() ->
                    connection.deliver(Envelope.of("s@o.test", "a@example.test", "b@example.test"), MESSAGE, (index, verdict) -> told.complete(new Told(index, verdict))));

            Told first = told.get(10, TimeUnit.SECONDS);

            assertThat(delivery).isNotDone();
            assertThat(first.index()).isZero();
            assertThat(first.verdict().delivered()).isTrue();
            assertThat(first.verdict().code()).isEqualTo(250);
            connection.close();
            assertThat(delivery.get(10, TimeUnit.SECONDS).verdicts().get(1).delivered()).isFalse();
        }
    }

    @Test
    void deliverShouldTellRcptRefusalsAndRepliesAfterTheDotButNotOutcomesDecidedLocally() throws Exception {
        server = FakeLmtpServer.start(new LmtpHandler() {
            @Override
            public Response rcpt(String args, int index) {
                return index == 1 ? Response.reply("550 5.1.1 User doesn't exist") : Response.reply("250 2.1.5 Ok");
            }

            @Override
            public List<Response> afterDot(List<String> accepted, byte[] body) {
                return List.of(Response.reply("452 4.2.2 Mailbox is full"), Response.stall());
            }
        });
        List<Told> told = new CopyOnWriteArrayList<>();
        DeliveryResult result;
        try (LmtpConnection connection = connect(Timeouts.defaults().withAll(Duration.ofSeconds(5)).with(Stage.DOT, Duration.ofMillis(400)))) {
            result = connection.deliver(Envelope.of("s@o.test", "a@example.test", "x@example.test", "c@example.test"), MESSAGE, (index, verdict) -> told.add(new Told(index, verdict)));
        }

        assertThat(told).extracting(Told::index, told1 -> told1.verdict().code()).containsExactly(
                org.assertj.core.groups.Tuple.tuple(1, 550), org.assertj.core.groups.Tuple.tuple(0, 452));
        assertThat(result.verdicts().get(2).fate()).isEqualTo(Fate.DEFERRED);
    }

    @Test
    void deliverShouldKeepTheOutcomeWhenTheListenerThrows() throws Exception {
        server = FakeLmtpServer.start(LmtpHandler.defaults());
        DeliveryResult result;
        try (LmtpConnection connection = connect(Timeouts.defaults().withAll(Duration.ofSeconds(5)))) {
            result = connection.deliver(Envelope.of("s@o.test", "a@example.test"), MESSAGE, (index, verdict) -> {
                throw new IllegalStateException("journal full");
            });
        }

        assertThat(result.allDelivered()).isTrue();
    }

    /** What the listener was told: a recipient's index in the envelope, and its verdict. */
    record Told(int index, Verdict verdict) {
    }
}
