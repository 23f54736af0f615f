package dev.jameslmtp.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.sasl.SaslPolicy;
import dev.jameslmtp.client.session.Stage;
import dev.jameslmtp.client.session.Timeouts;
import dev.jameslmtp.client.tls.TlsLevel;
import dev.jameslmtp.client.tls.TlsPolicy;
import dev.jameslmtp.testing.TestCertificates;

/**
 * The TLS handshake ends at the STARTTLS stage's deadline however the peer paces its bytes: a
 * {@link DrippingTlsPeer} announces a 16 KB handshake record and sends one byte of it every 1.5 s,
 * which no per-read timeout of 2 s ever catches. With a 2 s stage timeout the delivery must end
 * well within 10 s (a generous bound against a hang, not a speed check: the record alone would
 * take 6.8 hours), at every level and in wrapper mode: deferred 4.7.5 before any mail at
 * {@code encrypt} and {@code verify}, in clear on a new connection at {@code may}.
 */
class TlsHandshakeDeadlineTest {

    private static final Duration STAGE_TIMEOUT = Duration.ofSeconds(2);
    private static final long BOUND_SECONDS = 10;
    private static final TestCertificates.Authority CA = TestCertificates.authority("handshake deadline test CA");
    private static final Content MESSAGE = Content.of("Subject: hi\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
    private static final Envelope ENVELOPE = Envelope.of("s@origin.test", "a@example.test");

    private DrippingTlsPeer peer;

    @AfterEach
    void stop() throws Exception {
        if (peer != null) {
            peer.close(); // also ends a client still stuck in the handshake, when the test failed
        }
    }

    private DeliveryResult deliver(TlsLevel level, boolean wrapperMode) throws Exception {
        peer = new DrippingTlsPeer(wrapperMode);
        LmtpClient client = LmtpClient.builder().lhloName("client.test").timeouts(Timeouts.defaults().withAll(STAGE_TIMEOUT))
                .tls(TlsPolicy.builder(level).wrapperMode(wrapperMode).verifyingContext(CA.trustingContext()).build())
                .sasl(SaslPolicy.NONE).build();
        Destination destination = Destination.parse("inet:[127.0.0.1]:" + peer.port());
        CompletableFuture<DeliveryResult> delivery = CompletableFuture.supplyAsync(() -> client.deliver(destination, ENVELOPE, MESSAGE));
        DeliveryResult result = delivery.get(BOUND_SECONDS, TimeUnit.SECONDS);
        assertThat(peer.dripped()).as("the peer was dripping the record when the client gave up").isGreaterThan(1);
        return result;
    }

    private void assertDeferredWithoutMail(DeliveryResult result) {
        assertThat(result.verdicts()).allSatisfy(o -> {
            assertThat(o.fate()).isEqualTo(Fate.DEFERRED);
            assertThat(o.stage()).isEqualTo(Stage.STARTTLS);
            assertThat(o.status().toString()).isEqualTo("4.7.5");
            assertThat(o.text()).contains("TLS handshake").contains("not complete within 2000 ms");
        });
        assertThat(peer.connectionCount()).isEqualTo(1);
        assertThat(peer.commands(0)).noneMatch(c -> c.startsWith("MAIL"));
    }

    @Test
    void encryptShouldDeferAtTheStageDeadlineWhenThePeerDripsTheHandshake() throws Exception {
        assertDeferredWithoutMail(deliver(TlsLevel.ENCRYPT, false));
    }

    @Test
    void verifyShouldDeferAtTheStageDeadlineWhenThePeerDripsTheHandshake() throws Exception {
        assertDeferredWithoutMail(deliver(TlsLevel.VERIFY, false));
    }

    @Test
    void wrapperModeShouldDeferAtTheStageDeadlineWhenThePeerDripsTheHandshake() throws Exception {
        assertDeferredWithoutMail(deliver(TlsLevel.ENCRYPT, true));
    }

    @Test
    void mayShouldFallBackToClearOnANewConnectionAtTheStageDeadline() throws Exception {
        DeliveryResult result = deliver(TlsLevel.MAY, false);

        assertThat(result.allDelivered()).as(result.toString()).isTrue();
        assertThat(peer.connectionCount()).isEqualTo(2);
        assertThat(peer.commands(0)).contains("STARTTLS").noneMatch(c -> c.startsWith("MAIL"));
        assertThat(peer.commands(1)).doesNotContain("STARTTLS").anyMatch(c -> c.startsWith("MAIL"));
    }
}
