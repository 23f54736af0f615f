package dev.jameslmtp.mailet;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.mail.MessagingException;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.google.inject.Guice;
import com.google.inject.Injector;

import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.pool.ConnectionPool;
import dev.jameslmtp.mailet.attempt.DeliveryMetrics;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;

/** The mailet on the connection cache and on a destination list; reuse proved by the server's connection count. */
class ConnectionCacheMailetTest {

    private final RecordingMetricFactory metrics = new RecordingMetricFactory();
    private final ConnectionPool pool = ConnectionPool.create();
    private final FakeLmtpServer server = FakeLmtpServer.start(LmtpHandler.defaults());
    private final List<LmtpDelivery> mailets = new ArrayList<>();

    @AfterEach
    void tearDown() {
        mailets.forEach(LmtpDelivery::destroy);
        pool.close();
        server.close();
    }

    private LmtpDelivery mailet(String destination, String... parameters) throws MessagingException {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("lmtp").mailetContext(FakeMailContext.defaultContext())
                .setProperty("destination", destination);
        for (int i = 0; i < parameters.length; i += 2) {
            config.setProperty(parameters[i], parameters[i + 1]);
        }
        LmtpDelivery mailet = new LmtpDelivery(new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory()), metrics,
                () -> "james.test", Clock.systemUTC(), LmtpDelivery.ConsumerMode.DO_NOT_START);
        mailet.setConnectionPool(pool);
        mailet.init(config.build());
        mailets.add(mailet);
        return mailet;
    }

    private String local() {
        return "inet:127.0.0.1:" + server.port();
    }

    @Test
    void mailsShouldTravelOnOneCachedConnectionAndTheMetricsShouldCountTheReuse() throws Exception {
        LmtpDelivery mailet = mailet(local());

        for (int i = 0; i < 3; i++) {
            assertThat(mailet.pipeline().attempt(TestMails.mail("alice@a.test", "bob@b.test")).positions(Fate.DELIVERED)).hasSize(1);
        }

        assertThat(server.connectionCount()).isEqualTo(1);
        assertThat(server.bodies(0)).hasSize(3);
        assertThat(metrics.countFor(DeliveryMetrics.TRANSACTIONS)).isEqualTo(3);
        assertThat(metrics.countFor(DeliveryMetrics.REUSED)).isEqualTo(2);
    }

    @Test
    void twoMailetsWithTheSameSettingsShouldShareTheCachedConnection() throws Exception {
        mailet(local()).pipeline().attempt(TestMails.mail("alice@a.test", "bob@b.test"));
        mailet(local()).pipeline().attempt(TestMails.mail("alice@a.test", "carol@b.test"));

        assertThat(server.connectionCount()).isEqualTo(1);
    }

    @Test
    void mailetsWithAnotherLhloNameShouldNotShareTheConnection() throws Exception {
        mailet(local()).pipeline().attempt(TestMails.mail("alice@a.test", "bob@b.test"));
        mailet(local(), "lhloName", "other.test").pipeline().attempt(TestMails.mail("alice@a.test", "carol@b.test"));

        assertThat(server.connectionCount()).isEqualTo(2);
    }

    @Test
    void disabledCacheShouldOpenAConnectionPerMail() throws Exception {
        LmtpDelivery mailet = mailet(local(), "connectionCacheEnabled", "false");

        mailet.pipeline().attempt(TestMails.mail("alice@a.test", "bob@b.test"));
        mailet.pipeline().attempt(TestMails.mail("alice@a.test", "bob@b.test"));

        assertThat(server.connectionCount()).isEqualTo(2);
        assertThat(metrics.countFor(DeliveryMetrics.REUSED)).isZero();
    }

    @Test
    void destroyOfTheLastMailetShouldCloseTheCachedConnections() throws Exception {
        LmtpDelivery first = mailet(local());
        LmtpDelivery second = mailet(local());
        first.pipeline().attempt(TestMails.mail("alice@a.test", "bob@b.test"));

        first.destroy();
        assertThat(pool.idleCount()).isEqualTo(1);
        second.destroy();
        mailets.clear();

        assertThat(pool.idleCount()).isZero();
        assertThat(server.awaitClosed(0, Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void aDestinationListShouldPassTheMailToTheNextServerWhenTheFirstIsDown() throws Exception {
        String down;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            down = "inet:127.0.0.1:" + socket.getLocalPort();
        }
        LmtpDelivery mailet = mailet(down + ", " + local());

        DeliveryResult outcomes = mailet.pipeline().attempt(TestMails.mail("alice@a.test", "bob@b.test", "carol@b.test"));

        assertThat(outcomes.positions(Fate.DELIVERED)).hasSize(2);
        assertThat(server.bodies(0)).hasSize(1);
    }

    @Test
    void theGuiceModuleShouldGiveEveryMailetOnePool() {
        Injector injector = Guice.createInjector(new dev.jameslmtp.conf.LmtpDeliveryModule());

        assertThat(injector.getInstance(ConnectionPool.class)).isSameAs(injector.getInstance(ConnectionPool.class));
    }

}
