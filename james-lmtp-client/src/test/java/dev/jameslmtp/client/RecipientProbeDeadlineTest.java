package dev.jameslmtp.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.outcome.Verdict;
import dev.jameslmtp.client.session.Stage;
import dev.jameslmtp.client.session.Timeouts;
import dev.jameslmtp.client.tls.TlsLevel;
import dev.jameslmtp.client.tls.TlsPolicy;
import dev.jameslmtp.client.wire.EnhancedStatus;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.Response;

/**
 * How long a probe may take: never the reply to QUIT, never more than its total however the store
 * spreads its replies (greeting, LHLO, TLS handshake, MAIL, RCPT), and nothing once its owner
 * aborts it. Bounds are generous: each store here would hold a probe for 10 seconds or more.
 */
class RecipientProbeDeadlineTest {

    private static final Timeouts SLOW_ALLOWED = Timeouts.defaults().withAll(Duration.ofSeconds(10));
    /** Far longer than the totals below, far shorter than what the stores would take. */
    private static final Duration AT_ONCE = Duration.ofSeconds(4);
    private static final LmtpHandler SILENT = new LmtpHandler() {
        @Override
        public Response greeting() {
            return Response.stall();
        }
    };

    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
    private FakeLmtpServer server;

    @AfterEach
    void stop() {
        timer.shutdownNow();
        if (server != null) {
            server.close();
        }
    }

    private static LmtpClient client(Timeouts timeouts) {
        return LmtpClient.builder().lhloName("client.test").timeouts(timeouts).build();
    }

    private Destination start(LmtpHandler handler) {
        server = FakeLmtpServer.start(handler);
        return Destination.parse("inet:[127.0.0.1]:" + server.port());
    }

    @Test
    void verifyShouldNotWaitForTheReplyToQuit() {
        Destination store = start(new LmtpHandler() {
            @Override
            public Response quit() {
                return Response.stall();
            }
        });
        RecipientProbe probe = new RecipientProbe(client(SLOW_ALLOWED));

        Verdict verdict = assertTimeoutPreemptively(AT_ONCE, () -> probe.verify(store, "alice@example.test"));

        assertThat(verdict.fate()).isEqualTo(Fate.DELIVERED);
    }

    @Test
    void verifyShouldEndAtItsTotalWhenASlowStoreSpreadsItsRepliesWithinTheirTimeouts() throws InterruptedException {
        Duration slow = Duration.ofMillis(400);                         // each reply well within its 10 s
        Destination store = start(new LmtpHandler() {
            @Override
            public Response greeting() {
                return Response.delay(slow, Response.reply("220 slow.test LMTP"));
            }

            @Override
            public Response lhlo(String arg) {
                return Response.delay(slow, LmtpHandler.lhloReply("slow.test", capabilities()));
            }

            @Override
            public Response mail(String args) {
                return Response.delay(slow, Response.reply("250 2.1.0 Ok"));
            }

            @Override
            public Response rcpt(String args, int index) {
                return Response.delay(slow, Response.reply("250 2.1.5 Ok"));
            }
        });
        RecipientProbe probe = new RecipientProbe(client(SLOW_ALLOWED), Duration.ofSeconds(1), timer);

        Verdict verdict = assertTimeoutPreemptively(AT_ONCE, () -> probe.verify(store, "alice@example.test"));

        assertThat(verdict.fate()).isEqualTo(Fate.DEFERRED);
        assertThat(verdict.status()).isEqualTo(EnhancedStatus.CONNECTION_LOST);
        assertThat(verdict.text()).startsWith("recipient probe took longer than its total of 1000 ms; ended while");
        assertThat(server.awaitClosed(0, Duration.ofSeconds(5))).isTrue();
        assertThat(server.commands(0)).doesNotContain("RCPT TO:<alice@example.test>");
    }

    @Test
    void verifyShouldEndAtItsTotalWhenTheTlsHandshakeNeverEnds() {
        Destination store = start(new LmtpHandler() {
            @Override
            public List<String> capabilities() {
                return List.of("PIPELINING", "ENHANCEDSTATUSCODES", "STARTTLS");
            }

            @Override
            public Response starttls() {
                return Response.reply("220 2.0.0 Ready to start TLS");   // and then never shakes hands:
            }

            @Override
            public Response unknown(String line) {
                return Response.stall();                                 // the ClientHello, read as a line, gets no answer
            }
        });
        LmtpClient encrypting = LmtpClient.builder().lhloName("client.test").timeouts(SLOW_ALLOWED)
                .tls(TlsPolicy.builder(TlsLevel.ENCRYPT).build()).build();
        RecipientProbe probe = new RecipientProbe(encrypting, Duration.ofMillis(500), timer);

        Verdict verdict = assertTimeoutPreemptively(AT_ONCE, () -> probe.verify(store, "alice@example.test"));

        assertThat(verdict.fate()).isEqualTo(Fate.DEFERRED);
        assertThat(verdict.text()).startsWith("recipient probe took longer than its total of 500 ms");
    }

    @Test
    void verifyShouldEndAtItsTotalWhenTheStoreNeverGreetsAndTryNoFurtherServer() {
        Destination silent = start(SILENT);
        FakeLmtpServer second = FakeLmtpServer.start(LmtpHandler.defaults());
        try {
            DestinationList both = new DestinationList(List.of(silent, Destination.parse("inet:[127.0.0.1]:" + second.port())));
            RecipientProbe probe = new RecipientProbe(client(SLOW_ALLOWED), Duration.ofMillis(500), timer);

            Verdict verdict = assertTimeoutPreemptively(AT_ONCE, () -> probe.verify(both, "alice@example.test"));

            assertThat(verdict.fate()).isEqualTo(Fate.DEFERRED);
            assertThat(verdict.stage()).isEqualTo(Stage.GREETING);
            assertThat(second.connectionCount()).as("the total covers the whole list").isZero();
        } finally {
            second.close();
        }
    }

    @Test
    void abortAllShouldEndTheProbesInProgressAtOnce() throws Exception {
        Destination store = start(SILENT);
        RecipientProbe probe = new RecipientProbe(client(Timeouts.defaults().withAll(Duration.ofSeconds(60))), Duration.ofSeconds(60), timer);
        CompletableFuture<Verdict> running = CompletableFuture.supplyAsync(() -> probe.verify(store, "alice@example.test"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.connectionCount() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(100);                                              // the probe now waits for the greeting

        probe.abortAll();

        Verdict verdict = running.get(AT_ONCE.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(verdict.fate()).isEqualTo(Fate.DEFERRED);
    }

    @Test
    void canSendShouldRefuseWhatCannotGoOnTheWire() {
        assertThat(RecipientProbe.canSend("alice@example.test")).isTrue();
        assertThat(RecipientProbe.canSend("\"a b\"@example.test")).isTrue();
        assertThat(RecipientProbe.canSend("\"a\\\tb\"@example.test")).isFalse();
        assertThat(RecipientProbe.canSend("\"a\\\r\\\nb\"@example.test")).isFalse();
        assertThat(RecipientProbe.canSend("\"a>b\"@example.test")).isFalse();
        assertThat(RecipientProbe.canSend("a".repeat(250) + "@example.test")).isFalse();
    }
}
