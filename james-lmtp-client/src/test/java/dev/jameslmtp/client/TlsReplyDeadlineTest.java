package dev.jameslmtp.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.tls.TlsLevel;
import dev.jameslmtp.client.tls.TlsPolicy;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.TestCertificates;

/**
 * The deadline for a whole reply holds inside TLS too: behind a {@link DrippingTlsRelay} the
 * handshake completes (TLS 1.2, its records pass at once) and then the greeting's TLS record
 * arrives one byte every 1.5 s, each within the 2 s read timeout. The greeting must be given up at
 * its 2 s deadline (4.4.2, timed out), well within 10 s, a generous bound against a hang: the
 * record alone would take over a minute.
 */
class TlsReplyDeadlineTest {

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

        assertThat(result.outcomes()).allSatisfy(o -> {
            assertThat(o.disposition()).isEqualTo(Disposition.TEMPORARY_FAILURE);
            assertThat(o.stage()).isEqualTo(Stage.GREETING);
            assertThat(o.status().toString()).isEqualTo("4.4.2");
            assertThat(o.text()).contains("timed out while receiving the initial server greeting");
        });
        assertThat(server.tlsProtocol(0)).contains("TLSv1.2"); // the handshake itself went through
        assertThat(server.commands(0)).isEmpty();
    }
}
