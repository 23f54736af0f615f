package dev.jameslmtp.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.jameslmtp.client.credentials.CredentialSource;
import dev.jameslmtp.client.credentials.Credentials;
import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.sasl.SaslPolicy;
import dev.jameslmtp.client.sasl.ScramIterations;
import dev.jameslmtp.client.session.Stage;
import dev.jameslmtp.client.session.Timeouts;
import dev.jameslmtp.client.tls.TlsPolicy;
import dev.jameslmtp.testing.FakeLmtpServer;

/**
 * The SCRAM iteration count a server announces ({@code i=}) against the accepted range, with the
 * fake server's own SCRAM-SHA-256 (which computes with the count it announces): out of range, the
 * client cancels the exchange ({@code *}) without computing or sending a proof, and the recipients
 * are deferred (4.7.0) with the count and the range in the text; in range, it authenticates.
 */
class ScramIterationsTest {

    private static final String USER = "lmtp-user";
    private static final String PASSWORD = "Pa55-nOt4LoGs:iterations";
    private static final Content MESSAGE = Content.of("Subject: hi\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));

    private FakeLmtpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private DeliveryResult deliver(int announced, SaslPolicy sasl) {
        SaslServerHandler handler = new SaslServerHandler(USER, PASSWORD, List.of("SCRAM-SHA-256"), List.of(), false);
        handler.iterations = announced;
        server = FakeLmtpServer.start(handler);
        LmtpClient client = LmtpClient.builder().lhloName("client.test").timeouts(Timeouts.defaults().withAll(Duration.ofSeconds(3)))
                .tls(TlsPolicy.NONE).sasl(sasl).build();
        return client.deliver(Destination.parse("inet:[127.0.0.1]:" + server.port()), Envelope.of("s@origin.test", "a@example.test"),
                MESSAGE);
    }

    private static SaslPolicy scram() {
        return SaslPolicy.of(CredentialSource.fixed(Credentials.of(USER, PASSWORD)));
    }

    private void assertDeferredWithoutProof(DeliveryResult result, String count) {
        assertThat(result.verdicts()).allSatisfy(o -> {
            assertThat(o.fate()).isEqualTo(Fate.DEFERRED);
            assertThat(o.stage()).isEqualTo(Stage.AUTH);
            assertThat(o.status().toString()).isEqualTo("4.7.0");
            assertThat(o.text()).contains("iteration count " + count + " ").contains("4096 to 65536");
        });
        List<String> commands = server.commands(0);
        int auth = commands.size() - 1;
        while (auth > 0 && !commands.get(auth).startsWith("AUTH ")) {
            auth--;
        }
        // the client-first message went with AUTH; the next line cancels, where a client-final with the proof would be
        assertThat(commands.get(auth)).startsWith("AUTH SCRAM-SHA-256 ");
        assertThat(commands.get(auth + 1)).isEqualTo("*");
        assertThat(commands).noneMatch(c -> c.startsWith("MAIL"));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void scramShouldDeferAtOnceNamingTheCountWhenTheServerAsksForTwoBillionIterations() {
        DeliveryResult result = deliver(Integer.MAX_VALUE, scram());

        assertDeferredWithoutProof(result, "2147483647");
    }

    @Test
    void scramShouldRefuseACountBelowTheRfcMinimumThatMakesTheProofCheapToAttack() {
        DeliveryResult result = deliver(1, scram());

        assertDeferredWithoutProof(result, "1");
    }

    @Test
    void scramShouldRefuseACountJustAboveTheDefaultMaximum() {
        DeliveryResult result = deliver(ScramIterations.DEFAULT_MAX + 1, scram());

        assertDeferredWithoutProof(result, "65537");
    }

    @Test
    void scramShouldAuthenticateAtTheRfcMinimum() {
        assertThat(deliver(4096, scram()).allDelivered()).isTrue();
    }

    @Test
    void scramShouldAuthenticateAtTheDefaultMaximum() {
        assertThat(deliver(ScramIterations.DEFAULT_MAX, scram()).allDelivered()).isTrue();
    }

    @Test
    void scramShouldAuthenticateAboveTheDefaultMaximumWhenTheConfiguredMaximumAllowsIt() {
        DeliveryResult result = deliver(100_000, scram().withScramIterations(new ScramIterations(100_000)));

        assertThat(result.allDelivered()).as(result.toString()).isTrue();
    }

    @Test
    void scramIterationsShouldRefuseAMaximumBelowTheRfcMinimum() {
        assertThatThrownBy(() -> new ScramIterations(4095)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4096");
    }
}
