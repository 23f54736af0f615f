package dev.jameslmtp.client.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.Content;
import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.DestinationList;
import dev.jameslmtp.client.Envelope;
import dev.jameslmtp.client.LmtpClient;
import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.outcome.Verdict;
import dev.jameslmtp.client.session.Timeouts;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.Response;

/** Destination lists: which recipients move to the next server, and which stay. */
class FailoverDeliveryTest {

    private static final Content MESSAGE = Content.of("Subject: t\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
    private static final Envelope ENVELOPE = Envelope.of("s@test", "a@test", "b@test", "c@test");

    private long nanos;
    private final ConnectionPool pool = ConnectionPool.create();
    private final LmtpClient client = LmtpClient.builder().lhloName("client.test")
            .timeouts(Timeouts.defaults().withAll(Duration.ofSeconds(5))).build();
    private final FailedServers failedServers = new FailedServers(Duration.ofSeconds(60), () -> nanos);
    private final FailoverDelivery failover = new FailoverDelivery(new PooledDelivery(pool, PoolLimits.defaults(), ReuseCounter.NONE),
            failedServers);
    private final List<FakeLmtpServer> servers = new ArrayList<>();

    FailoverDeliveryTest() {
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

    private static Destination refusing() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return Destination.parse("inet:[127.0.0.1]:" + socket.getLocalPort());
        }
    }

    private static List<Fate> dispositions(DeliveryResult result) {
        return result.verdicts().stream().map(Verdict::fate).toList();
    }

    private static LmtpHandler greeting(String reply) {
        return new LmtpHandler() {
            @Override
            public Response greeting() {
                return Response.reply(reply);
            }
        };
    }

    @Test
    void refusedConnectionShouldMoveEveryRecipientToTheNextServer() throws IOException {
        Destination backup = start(LmtpHandler.defaults());

        DeliveryResult result = failover.deliver(client, DestinationList.of(refusing(), backup), ENVELOPE, MESSAGE);

        assertThat(result.allDelivered()).isTrue();
        assertThat(servers.get(0).bodies(0)).hasSize(1);
    }

    @Test
    void negativeGreetingShouldMoveEveryRecipientToTheNextServer() {
        Destination busy = start(greeting("421 4.3.2 too busy"));
        Destination backup = start(LmtpHandler.defaults());

        DeliveryResult result = failover.deliver(client, DestinationList.of(busy, backup), ENVELOPE, MESSAGE);

        assertThat(result.allDelivered()).isTrue();
        assertThat(servers.get(1).bodies(0)).hasSize(1);
    }

    @Test
    void closingWith421ShouldMoveOnlyTheRecipientsTheServerDidNotAnswer() {
        Destination closing = start(new LmtpHandler() {
            @Override
            public Response rcpt(String args, int index) {
                return switch (index) {
                    case 0 -> Response.reply("550 5.1.1 unknown user");
                    case 1 -> Response.replyThenDrop("421 4.3.2 shutting down");
                    default -> Response.reply("250 2.1.5 Ok");
                };
            }
        });
        Destination backup = start(LmtpHandler.defaults());

        DeliveryResult result = failover.deliver(client, DestinationList.of(closing, backup), ENVELOPE, MESSAGE);

        assertThat(dispositions(result)).containsExactly(Fate.BOUNCED, Fate.DELIVERED, Fate.DELIVERED);
        assertThat(servers.get(1).commands(0)).filteredOn(c -> c.startsWith("RCPT"))
                .containsExactly("RCPT TO:<b@test>", "RCPT TO:<c@test>");
    }

    @Test
    void eachReplyShouldNameTheServerOfTheListThatGaveIt() throws IOException {
        Destination refusing = refusing();
        Destination answering = start(new LmtpHandler() {
            @Override
            public Response rcpt(String args, int index) {
                return index == 0 ? Response.reply("550 5.1.1 unknown user") : Response.reply("250 2.1.5 Ok");
            }
        });
        Destination spare = start(LmtpHandler.defaults());

        DeliveryResult result = failover.deliver(client, DestinationList.of(refusing, answering, spare), ENVELOPE, MESSAGE);

        assertThat(dispositions(result)).containsExactly(Fate.BOUNCED, Fate.DELIVERED, Fate.DELIVERED);
        assertThat(result.verdicts()).allSatisfy(o -> assertThat(o.server()).contains(answering));
        assertThat(result.verdicts()).allSatisfy(o -> assertThat(o.server()).contains(answering));
    }

    @Test
    void anOutcomeDecidedLocallyShouldNameNoServer() throws IOException {
        DeliveryResult result = failover.deliver(client, DestinationList.of(refusing(), refusing()), ENVELOPE, MESSAGE);

        assertThat(dispositions(result)).containsOnly(Fate.DEFERRED);
        assertThat(result.verdicts()).allSatisfy(o -> assertThat(o.server()).isEmpty());
    }

    @Test
    void onlyTheLastServersVerdictShouldStand() {
        Destination first = start(greeting("421 4.3.2 first is busy"));
        Destination last = start(greeting("421 4.3.2 last is busy"));

        DeliveryResult result = failover.deliver(client, DestinationList.of(first, last), ENVELOPE, MESSAGE);

        assertThat(dispositions(result)).containsOnly(Fate.DEFERRED);
        assertThat(result.verdicts()).allSatisfy(o -> assertThat(o.text()).contains("last is busy"));
    }

    @Test
    void connectionLostAfterTheContentShouldNotMoveAnyRecipient() {
        Destination losing = start(new LmtpHandler() {
            @Override
            public List<Response> afterDot(List<String> accepted, byte[] body) {
                return List.of(Response.reply("250 2.0.0 saved"), Response.drop());
            }
        });
        Destination backup = start(LmtpHandler.defaults());

        DeliveryResult result = failover.deliver(client, DestinationList.of(losing, backup), ENVELOPE, MESSAGE);

        assertThat(dispositions(result)).containsExactly(Fate.DELIVERED, Fate.DEFERRED,
                Fate.DEFERRED);
        assertThat(servers.get(1).connectionCount()).isZero();
    }

    @Test
    void failedServerShouldBeSkippedUntilItsSkipTimeIsOver() throws IOException {
        Destination down = start(greeting("421 4.3.2 down"));
        Destination backup = start(LmtpHandler.defaults());
        DestinationList list = DestinationList.of(down, backup);

        failover.deliver(client, list, ENVELOPE, MESSAGE); // t=0: first server fails, marked
        nanos += Duration.ofSeconds(59).toNanos(); // t=59s: still skipped
        failover.deliver(client, list, ENVELOPE, MESSAGE);
        assertThat(servers.get(0).connectionCount()).isEqualTo(1);

        nanos += Duration.ofSeconds(1).toNanos(); // t=60s: tried again
        failover.deliver(client, list, ENVELOPE, MESSAGE);
        assertThat(servers.get(0).connectionCount()).isEqualTo(2);
    }

    @Test
    void everyServerSkippedShouldStillBeTriedInOrder() {
        Destination only = start(greeting("421 4.3.2 down"));

        failover.deliver(client, DestinationList.of(only), ENVELOPE, MESSAGE);
        failover.deliver(client, DestinationList.of(only), ENVELOPE, MESSAGE);

        assertThat(servers.get(0).connectionCount()).isEqualTo(2);
        assertThat(failedServers.isSkipped(only)).isTrue();
    }
}
