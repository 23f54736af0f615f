package dev.jameslmtp.client.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.Content;
import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.Envelope;
import dev.jameslmtp.client.LmtpClient;
import dev.jameslmtp.client.LmtpConnectException;
import dev.jameslmtp.client.credentials.AuthIdentity;
import dev.jameslmtp.client.sasl.SaslPolicy;
import dev.jameslmtp.client.session.SessionKey;
import dev.jameslmtp.client.session.Timeouts;
import dev.jameslmtp.client.tls.TlsPolicy;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;

/** The pool's limits on a fake clock; each step of a timeline says what time it is. */
class ConnectionPoolTest {

    private static final Content MESSAGE = Content.of("Subject: t\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
    private static final PoolLimits LIMITS = new PoolLimits(true, Duration.ofSeconds(2), Duration.ofSeconds(300), 0, 2);

    private long nanos = TimeUnit.HOURS.toNanos(1);
    private final ConnectionPool pool = ConnectionPool.withClock(() -> nanos);
    private final LmtpClient client = LmtpClient.builder().lhloName("client.test")
            .timeouts(Timeouts.defaults().withAll(Duration.ofSeconds(5))).build();
    private FakeLmtpServer server;
    private Destination endpoint;
    private ConnectionKey key;

    @BeforeEach
    void start() {
        server = FakeLmtpServer.start(LmtpHandler.defaults());
        endpoint = Destination.parse("inet:[127.0.0.1]:" + server.port());
        key = ConnectionKey.of(client, endpoint);
        pool.retain();
    }

    @AfterEach
    void stop() {
        pool.close();
        server.close();
    }

    private void advance(Duration duration) {
        nanos += duration.toNanos();
    }

    /** A connection that has served one transaction, as the pool receives them. */
    private PooledConnection used() throws LmtpConnectException {
        LeaseTranscript transcript = new LeaseTranscript(client.transcript());
        PooledConnection connection = new PooledConnection(key, client.connect(endpoint, transcript), transcript, nanos);
        connection.connection.deliver(Envelope.of("a@test", "b@test"), MESSAGE);
        return connection;
    }

    @Test
    void takeShouldReturnTheConnectionOfferedUnderTheSameKey() throws Exception {
        PooledConnection connection = used();

        assertThat(pool.offer(connection, LIMITS)).isTrue();

        assertThat(pool.take(key)).containsSame(connection);
        assertThat(pool.take(key)).isEmpty();
    }

    @Test
    void takeShouldReturnNothingForAnotherLhloNameOrIdentity() throws Exception {
        pool.offer(used(), LIMITS);

        assertThat(pool.take(new ConnectionKey(key.session(), "other.test", client.timeouts(), client.orcpt(), true))).isEmpty();
        assertThat(pool.take(new ConnectionKey(new SessionKey(endpoint, TlsPolicy.NONE, Optional.of(new AuthIdentity("alice", "f1")),
                SaslPolicy.NONE.terms()),
                "client.test", client.timeouts(), client.orcpt(), true))).isEmpty();
        assertThat(pool.take(new ConnectionKey(key.session(), key.lhloName(), key.timeouts(), dev.jameslmtp.client.OrcptPolicy.NEVER, true)))
                .as("another ORCPT policy").isEmpty();
        assertThat(pool.take(new ConnectionKey(key.session(), key.lhloName(), key.timeouts(), key.orcpt(), !key.useChunking())))
                .as("another useChunking").isEmpty();
        assertThat(pool.idleCount(key)).isEqualTo(1);
    }

    @Test
    void idleConnectionShouldBeClosedWhenItsIdleTimeIsOver() throws Exception {
        PooledConnection connection = used();
        pool.offer(connection, LIMITS); // t=0: idle

        advance(Duration.ofMillis(1_900)); // t=1.9s: still within the 2 s idle time
        assertThat(pool.cleanup(nanos)).isEqualTo(Duration.ofMillis(100).toNanos());
        assertThat(pool.idleCount()).isEqualTo(1);

        advance(Duration.ofMillis(100)); // t=2.0s: idle time over
        assertThat(pool.cleanup(nanos)).isEqualTo(-1);
        assertThat(pool.idleCount()).isZero();
        assertThat(connection.connection.isUsable()).isFalse();
        assertThat(server.awaitClosed(0, Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void takeShouldSkipAnIdleConnectionPastItsIdleTime() throws Exception {
        pool.offer(used(), LIMITS); // t=0: idle

        advance(Duration.ofSeconds(3)); // t=3s: expired, not yet cleaned up

        assertThat(pool.take(key)).isEmpty();
        assertThat(pool.idleCount()).isZero();
    }

    @Test
    void offerShouldRefuseAConnectionPastItsReuseTime() throws Exception {
        PooledConnection connection = used(); // t=0: opened
        pool.offer(connection, LIMITS);

        advance(Duration.ofSeconds(1)); // t=1s: reused
        assertThat(pool.take(key)).containsSame(connection);
        assertThat(pool.offer(connection, LIMITS)).isTrue();

        for (int i = 0; i < 299; i++) { // t=300s: reused every second, never idle for 2 s, but 300 s old
            advance(Duration.ofSeconds(1));
            if (pool.take(key).isEmpty()) {
                break;
            }
            pool.offer(connection, LIMITS);
        }

        assertThat(pool.idleCount()).isZero();
        assertThat(pool.offer(connection, LIMITS)).isFalse();
    }

    @Test
    void offerShouldRefuseAConnectionThatWasReusedReuseLimitTimes() throws Exception {
        PoolLimits twice = new PoolLimits(true, Duration.ofSeconds(2), Duration.ofSeconds(300), 2, 2);
        PooledConnection connection = used(); // 1 transaction: may be reused

        assertThat(pool.offer(connection, twice)).isTrue();
        pool.take(key);
        connection.connection.deliver(Envelope.of("a@test", "b@test"), MESSAGE); // reuse 1
        assertThat(pool.offer(connection, twice)).isTrue();
        pool.take(key);
        connection.connection.deliver(Envelope.of("a@test", "b@test"), MESSAGE); // reuse 2: the limit

        assertThat(pool.offer(connection, twice)).isFalse();
    }

    @Test
    void offerShouldCloseTheOldestIdleConnectionBeyondMaxIdle() throws Exception {
        PooledConnection first = used();
        PooledConnection second = used();
        PooledConnection third = used();

        pool.offer(first, LIMITS);
        pool.offer(second, LIMITS);
        pool.offer(third, LIMITS);

        assertThat(pool.idleCount(key)).isEqualTo(2);
        assertThat(first.connection.isUsable()).isFalse();
        assertThat(pool.take(key)).containsSame(third);
        assertThat(pool.take(key)).containsSame(second);
    }

    @Test
    void offerShouldRefuseWhenCachingIsDisabled() throws Exception {
        assertThat(pool.offer(used(), PoolLimits.disabled())).isFalse();
        assertThat(pool.idleCount()).isZero();
    }

    @Test
    void offerShouldRefuseAClosedConnection() throws Exception {
        PooledConnection connection = used();
        connection.connection.close();

        assertThat(pool.offer(connection, LIMITS)).isFalse();
    }

    @Test
    void releaseByTheLastHolderShouldCloseEveryIdleConnectionAndKeepNoneAfterwards() throws Exception {
        pool.retain(); // a second mailet
        PooledConnection connection = used();
        pool.offer(connection, LIMITS);

        pool.release();
        assertThat(pool.idleCount()).isEqualTo(1);

        pool.release();
        assertThat(pool.idleCount()).isZero();
        assertThat(connection.connection.isUsable()).isFalse();
        assertThat(pool.offer(used(), LIMITS)).isFalse();
    }
}
