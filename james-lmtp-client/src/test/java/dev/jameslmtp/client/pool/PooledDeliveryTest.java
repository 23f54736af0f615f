package dev.jameslmtp.client.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.Content;
import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.Envelope;
import dev.jameslmtp.client.LmtpClient;
import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.outcome.Verdict;
import dev.jameslmtp.client.session.Timeouts;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.Response;

/** Reuse through the pool, proved by the fake server's per-connection command lists. */
class PooledDeliveryTest {

    private static final Content MESSAGE = Content.of("Subject: t\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
    private static final Envelope ENVELOPE = Envelope.of("a@test", "b@test", "c@test");

    private final ConnectionPool pool = ConnectionPool.create();
    private final LmtpClient client = LmtpClient.builder().lhloName("client.test")
            .timeouts(Timeouts.defaults().withAll(Duration.ofSeconds(5))).build();
    private final AtomicInteger transactions = new AtomicInteger();
    private final AtomicInteger reused = new AtomicInteger();
    private final PooledDelivery delivery = new PooledDelivery(pool, PoolLimits.defaults(), onReused -> {
        transactions.incrementAndGet();
        if (onReused) {
            reused.incrementAndGet();
        }
    });
    private FakeLmtpServer server;

    PooledDeliveryTest() {
        pool.retain();
    }

    @AfterEach
    void stop() {
        pool.close();
        if (server != null) {
            server.close();
        }
    }

    private DeliveryResult deliver() {
        return delivery.deliver(client, Destination.parse("inet:[127.0.0.1]:" + server.port()), ENVELOPE, MESSAGE);
    }

    private static List<Fate> dispositions(DeliveryResult result) {
        return result.verdicts().stream().map(Verdict::fate).toList();
    }

    @Test
    void secondTransactionShouldRunOnTheSameConnectionAfterRset() {
        server = FakeLmtpServer.start(LmtpHandler.defaults());

        assertThat(deliver().allDelivered()).isTrue();
        assertThat(deliver().allDelivered()).isTrue();

        assertThat(server.connectionCount()).isEqualTo(1);
        assertThat(server.commands(0)).filteredOn(c -> c.startsWith("MAIL") || c.equals("RSET") || c.equals("QUIT"))
                .containsExactly("MAIL FROM:<a@test>", "RSET", "MAIL FROM:<a@test>");
        assertThat(server.bodies(0)).hasSize(2);
        assertThat(transactions).hasValue(2);
        assertThat(reused).hasValue(1);
    }

    @Test
    void failedProbeShouldRunTheTransactionOnAFreshConnectionWithoutFailingAnyRecipient() {
        server = FakeLmtpServer.start(new LmtpHandler() {
            @Override
            public Response rset() {
                return Response.drop(); // the cached connection is dead by now
            }
        });
        deliver();

        DeliveryResult second = deliver();

        assertThat(second.allDelivered()).isTrue();
        assertThat(server.connectionCount()).isEqualTo(2);
        assertThat(server.bodies(0)).hasSize(1);
        assertThat(server.bodies(1)).hasSize(1);
    }

    @Test
    void cachedConnectionClosedWith421BeforeDataShouldBeRetriedOnceOnAFreshConnection() {
        AtomicInteger mails = new AtomicInteger();
        server = FakeLmtpServer.start(new LmtpHandler() {
            @Override
            public Response rcpt(String args, int index) {
                return mails.get() == 2 && index == 1 ? Response.replyThenDrop("421 4.3.2 shutting down")
                        : Response.reply("250 2.1.5 Ok");
            }

            @Override
            public Response mail(String args) {
                mails.incrementAndGet();
                return Response.reply("250 2.1.0 Ok");
            }
        });
        deliver();

        assertThat(deliver().allDelivered()).isTrue();
        assertThat(server.connectionCount()).isEqualTo(2);
    }

    @Test
    void cachedConnectionLostAfterTheContentShouldNotBeRetried() {
        AtomicInteger dots = new AtomicInteger();
        server = FakeLmtpServer.start(new LmtpHandler() {
            @Override
            public List<Response> afterDot(List<String> accepted, byte[] body) {
                return dots.incrementAndGet() == 1 ? LmtpHandler.super.afterDot(accepted, body) : List.of(Response.drop());
            }
        });
        deliver();

        DeliveryResult second = deliver();

        assertThat(dispositions(second)).containsOnly(Fate.DEFERRED);
        assertThat(server.connectionCount()).isEqualTo(1);
    }

    @Test
    void connectionShouldNotBeCachedAfterAProtocolError() {
        server = FakeLmtpServer.start(new LmtpHandler() {
            @Override
            public Response rcpt(String args, int index) {
                return index == 0 ? Response.reply("354 what?") : Response.reply("250 2.1.5 Ok");
            }
        });

        deliver();

        assertThat(pool.idleCount()).isZero();
    }

    @Test
    void disabledCacheShouldOpenAConnectionPerTransactionAndQuitEach() throws Exception {
        server = FakeLmtpServer.start(LmtpHandler.defaults());
        PooledDelivery uncached = new PooledDelivery(pool, PoolLimits.disabled(), ReuseCounter.NONE);
        Destination endpoint = Destination.parse("inet:[127.0.0.1]:" + server.port());

        uncached.deliver(client, endpoint, ENVELOPE, MESSAGE);
        uncached.deliver(client, endpoint, ENVELOPE, MESSAGE);

        assertThat(server.connectionCount()).isEqualTo(2);
        assertThat(server.awaitClosed(0, Duration.ofSeconds(5))).isTrue();
        assertThat(server.commands(0)).last().isEqualTo("QUIT");
        assertThat(pool.idleCount()).isZero();
    }
}
