package dev.jameslmtp.client.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.Content;
import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.DestinationList;
import dev.jameslmtp.client.Envelope;
import dev.jameslmtp.client.LmtpClient;
import dev.jameslmtp.client.outcome.Verdict;
import dev.jameslmtp.client.session.Timeouts;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.Response;

/** The outcome listener through the pool and failover: each recipient told once, by its index in the caller's envelope. */
class PooledOutcomeListenerTest {

    private static final Content MESSAGE = Content.of("Subject: t\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
    private static final Envelope ENVELOPE = Envelope.of("a@test", "b@test", "c@test", "d@test");

    private final ConnectionPool pool = ConnectionPool.create();
    private final LmtpClient client = LmtpClient.builder().lhloName("client.test")
            .timeouts(Timeouts.defaults().withAll(Duration.ofSeconds(5))).build();
    private final PooledDelivery pooled = new PooledDelivery(pool, PoolLimits.defaults(), ReuseCounter.NONE);
    private final List<FakeLmtpServer> servers = new ArrayList<>();
    private final List<Told> told = new CopyOnWriteArrayList<>();

    PooledOutcomeListenerTest() {
        pool.retain();
    }

    @AfterEach
    void stop() {
        pool.close();
        servers.forEach(FakeLmtpServer::close);
    }

    private Destination start(LmtpHandler handler) {
        FakeLmtpServer server = FakeLmtpServer.start(handler);
        servers.add(server);
        return Destination.parse("inet:[127.0.0.1]:" + server.port());
    }

    @Test
    void aRcptRefusalOnACachedConnectionThatFailsBeforeDataShouldBeToldOnceFromTheFreshConnection() {
        AtomicInteger mails = new AtomicInteger();
        Destination server = start(new LmtpHandler() {
            @Override
            public Response mail(String args) {
                mails.incrementAndGet();
                return Response.reply("250 2.1.0 Ok");
            }

            @Override
            public Response rcpt(String args, int index) {
                if (index == 0) {
                    return Response.reply("550 5.1.1 unknown user");
                }
                return mails.get() == 2 && index == 1 ? Response.replyThenDrop("421 4.3.2 shutting down") : Response.reply("250 2.1.5 Ok");
            }
        });
        pooled.deliver(client, server, ENVELOPE, MESSAGE); // leaves a cached connection

        pooled.deliver(client, server, ENVELOPE, MESSAGE, (index, verdict) -> told.add(new Told(index, verdict)));

        assertThat(servers.get(0).connectionCount()).as("run again on a fresh connection").isEqualTo(2);
        assertThat(told).extracting(Told::index, t -> t.verdict().code())
                .containsExactly(tuple(0, 550), tuple(1, 250), tuple(2, 250));
    }

    @Test
    void failoverShouldTellEachReplyByItsIndexInTheCallersEnvelope() {
        Destination closing = start(new LmtpHandler() {
            @Override
            public Response rcpt(String args, int index) {
                return switch (index) {
                    case 0 -> Response.reply("250 2.1.5 Ok");
                    case 1 -> Response.reply("550 5.1.1 unknown user");
                    default -> Response.replyThenDrop("421 4.3.2 shutting down");
                };
            }
        });
        Destination backup = start(LmtpHandler.defaults());
        FailoverDelivery failover = new FailoverDelivery(pooled, new FailedServers(Duration.ofSeconds(60), System::nanoTime));

        failover.deliver(client, DestinationList.of(closing, backup), ENVELOPE, MESSAGE, (index, verdict) -> told.add(new Told(index, verdict)));

        assertThat(told).extracting(Told::index, t -> t.verdict().code(), t -> ENVELOPE.recipients().get(t.index()).address())
                .containsExactly(tuple(1, 550, "c@test"), tuple(0, 250, "b@test"), tuple(2, 250, "d@test"));
    }

    /** What the listener was told: a recipient's index in the caller's envelope, and its verdict. */
    record Told(int index, Verdict verdict) {
    }
}
