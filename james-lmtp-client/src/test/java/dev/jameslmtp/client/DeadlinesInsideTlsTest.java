package dev.jameslmtp.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.session.Stage;
import dev.jameslmtp.client.session.Timeouts;
import dev.jameslmtp.client.tls.TlsLevel;
import dev.jameslmtp.client.tls.TlsPolicy;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.Response;
import dev.jameslmtp.testing.TestCertificates;

/**
 * The stage deadlines hold inside TLS too, where the {@code SSLSocket} does the reading and writing
 * of the plain socket. Each delivery must end well within 10 s with a 2 s stage timeout (a generous
 * bound against a hang, not a speed check):
 *
 * <ul>
 *   <li>behind a {@link DrippingTlsRelay} the handshake completes (TLS 1.2, its records pass at
 *   once) and then the greeting's TLS record arrives one byte every 1.5 s, each within the read
 *   timeout; the record alone would take over a minute;</li>
 *   <li>a server that says 354 and stops reading the body: the write watchdog must close the plain
 *   socket, since closing the {@code SSLSocket} waits for the lock the blocked writer holds.</li>
 * </ul>
 */
class DeadlinesInsideTlsTest {

    private static final Duration STAGE_TIMEOUT = Duration.ofSeconds(2);
    private static final TestCertificates.Authority CA = TestCertificates.authority("reply deadline test CA");
    private static final Content MESSAGE = Content.of("Subject: hi\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));

    private FakeLmtpServer server;
    private DrippingTlsRelay relay;

    @AfterEach
    void stop() throws Exception {
        if (relay != null) {
            relay.close(); // also ends a client still waiting, when the test failed
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aGreetingDrippedInsideTlsShouldTimeOutAtTheStageDeadline() throws Exception {
        server = FakeLmtpServer.startImplicitTls(LmtpHandler.defaults(), CA.issue("localhost", "127.0.0.1").serverContext());
        relay = new DrippingTlsRelay(server.port());
        LmtpClient client = LmtpClient.builder().lhloName("client.test").timeouts(Timeouts.defaults().withAll(STAGE_TIMEOUT))
                .tls(TlsPolicy.builder(TlsLevel.ENCRYPT).wrapperMode(true).protocols(List.of("TLSv1.2")).build()).build();
        Destination destination = Destination.parse("inet:[127.0.0.1]:" + relay.port());

        DeliveryResult result = CompletableFuture.supplyAsync(() -> client.deliver(destination, Envelope.of("s@origin.test", "a@example.test"),
                MESSAGE)).get(10, TimeUnit.SECONDS);

        assertThat(result.verdicts()).allSatisfy(o -> {
            assertThat(o.fate()).isEqualTo(Fate.DEFERRED);
            assertThat(o.stage()).isEqualTo(Stage.GREETING);
            assertThat(o.status().toString()).isEqualTo("4.4.2");
            assertThat(o.text()).contains("timed out while receiving the initial server greeting");
        });
        assertThat(server.tlsProtocol(0)).contains("TLSv1.2"); // the handshake itself went through
        assertThat(server.commands(0)).isEmpty();
    }

    @Test
    void aBodyTheServerStopsReadingInsideTlsShouldTimeOutAtTheStageDeadline() throws Exception {
        server = FakeLmtpServer.startImplicitTls(new LmtpHandler() {
            @Override
            public Response data(int acceptedRecipients) {
                return Response.replyThenStall("354 go ahead");
            }
        }, CA.issue("localhost", "127.0.0.1").serverContext());
        LmtpClient client = LmtpClient.builder().lhloName("client.test").timeouts(Timeouts.defaults().withAll(STAGE_TIMEOUT))
                .tls(TlsPolicy.builder(TlsLevel.ENCRYPT).wrapperMode(true).build()).build();
        Destination destination = Destination.parse("inet:[127.0.0.1]:" + server.port());
        Content endless = out -> {
            byte[] line = "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\r\n".getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 300_000; i++) { // 22 MB: more than the loopback socket buffers of both sides
                out.write(line);
            }
        };

        DeliveryResult result = CompletableFuture.supplyAsync(() -> client.deliver(destination, Envelope.of("s@origin.test", "a@example.test"),
                endless)).get(10, TimeUnit.SECONDS);

        assertThat(result.verdicts()).allSatisfy(o -> {
            assertThat(o.fate()).isEqualTo(Fate.DEFERRED);
            assertThat(o.stage()).isEqualTo(Stage.BODY);
            assertThat(o.status().toString()).isEqualTo("4.4.2");
            assertThat(o.text()).contains("timed out while sending message body");
        });
    }
}
