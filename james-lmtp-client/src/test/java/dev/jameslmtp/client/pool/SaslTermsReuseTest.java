package dev.jameslmtp.client.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.Content;
import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.Envelope;
import dev.jameslmtp.client.LmtpClient;
import dev.jameslmtp.client.credentials.CredentialSource;
import dev.jameslmtp.client.credentials.Credentials;
import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.sasl.AuthFailureCache;
import dev.jameslmtp.client.sasl.SaslPolicy;
import dev.jameslmtp.client.sasl.SecurityOptions;
import dev.jameslmtp.client.session.Timeouts;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.Response;

/**
 * Two mailets sharing one pool and one password map but not the same SASL policy: a session opened
 * under one policy is never handed to the other (the fake server counts the connections).
 */
class SaslTermsReuseTest {

    private static final CredentialSource SAME_MAP = CredentialSource.fixed(Credentials.of("lmtp-user", "Shared-nOt4LoGs"));
    private static final Content MESSAGE = Content.of("Subject: t\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
    private static final Envelope ENVELOPE = Envelope.of("a@test", "b@test");

    private final ConnectionPool pool = ConnectionPool.create();
    private final PooledDelivery delivery = new PooledDelivery(pool, PoolLimits.defaults(), reused -> { });
    private FakeLmtpServer server;

    SaslTermsReuseTest() {
        pool.retain();
    }

    @AfterEach
    void stop() {
        pool.close();
        if (server != null) {
            server.close();
        }
    }

    private DeliveryResult deliver(SaslPolicy sasl) {
        LmtpClient client = LmtpClient.builder().lhloName("client.test").timeouts(Timeouts.defaults().withAll(Duration.ofSeconds(5)))
                .sasl(sasl).build();
        return delivery.deliver(client, Destination.parse("inet:[127.0.0.1]:" + server.port()), ENVELOPE, MESSAGE);
    }

    /** A store in clear that offers AUTH PLAIN (or no AUTH) and accepts any PLAIN. */
    private static LmtpHandler store(String... mechanisms) {
        return new LmtpHandler() {
            @Override
            public List<String> capabilities() {
                return mechanisms.length == 0 ? DEFAULT_CAPABILITIES
                        : List.of("PIPELINING", "ENHANCEDSTATUSCODES", "AUTH " + String.join(" ", mechanisms));
            }

            @Override
            public Response auth(String args) {
                return Response.reply("235 2.7.0 Authentication successful");
            }
        };
    }

    @Test
    void aSessionAuthenticatedWithPlainInClearShouldNotServeAPolicyThatForbidsIt() {
        server = FakeLmtpServer.start(store("PLAIN"));
        SaslPolicy lax = SaslPolicy.of(SAME_MAP)
                .withOptions(SecurityOptions.NO_ANONYMOUS, SecurityOptions.NO_ANONYMOUS, SecurityOptions.NO_ANONYMOUS);

        assertThat(deliver(lax).allDelivered()).isTrue();
        DeliveryResult strict = deliver(SaslPolicy.of(SAME_MAP));

        assertThat(server.connectionCount()).isEqualTo(2);
        assertThat(server.bodies(0)).hasSize(1);
        assertThat(strict.verdicts()).allSatisfy(o -> {
            assertThat(o.fate()).isEqualTo(Fate.DEFERRED);
            assertThat(o.status().toString()).isEqualTo("4.7.0");
        });
    }

    @Test
    void anUnauthenticatedSessionShouldNotServeAPolicyThatRequiresAuth() {
        server = FakeLmtpServer.start(store());

        assertThat(deliver(SaslPolicy.of(SAME_MAP)).allDelivered()).isTrue(); // no AUTH offered: sent without
        DeliveryResult required = deliver(SaslPolicy.of(SAME_MAP).withRequireAuth(true));

        assertThat(server.connectionCount()).isEqualTo(2);
        assertThat(server.bodies(0)).hasSize(1);
        assertThat(required.verdicts()).allSatisfy(o -> assertThat(o.status().toString()).isEqualTo("4.7.0"));
    }

    @Test
    void policiesWithTheSameTermsShouldShareTheSession() {
        server = FakeLmtpServer.start(store("PLAIN"));
        SaslPolicy one = SaslPolicy.of(SAME_MAP)
                .withOptions(SecurityOptions.NO_ANONYMOUS, SecurityOptions.NO_ANONYMOUS, SecurityOptions.NO_ANONYMOUS);
        // another mailet: its own failure cache and soft bounce, which matter only when AUTH fails
        SaslPolicy other = one.withSoftBounce(false).withFailureCache(new AuthFailureCache(Clock.systemUTC(), Duration.ofMinutes(5)));

        assertThat(deliver(one).allDelivered()).isTrue();
        assertThat(deliver(other).allDelivered()).isTrue();

        assertThat(server.connectionCount()).isEqualTo(1);
        assertThat(server.bodies(0)).hasSize(2);
    }
}
