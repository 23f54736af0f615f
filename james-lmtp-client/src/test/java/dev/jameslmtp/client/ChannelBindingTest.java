package dev.jameslmtp.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.credentials.CredentialSource;
import dev.jameslmtp.client.credentials.Credentials;
import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.sasl.ChannelBindingType;
import dev.jameslmtp.client.sasl.Mechanism;
import dev.jameslmtp.client.sasl.SaslPolicy;
import dev.jameslmtp.client.session.Stage;
import dev.jameslmtp.client.session.Timeouts;
import dev.jameslmtp.client.tls.TlsLevel;
import dev.jameslmtp.client.tls.TlsPolicy;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.TestCertificates;

/**
 * SCRAM channel binding (tls-server-end-point) against the fake server's own SCRAM, which checks
 * the gs2 header and the {@code c=} binding data against the hash of the certificate it presented
 * (computed here independently of the client's code): {@code -PLUS} is preferred on TLS, the header
 * is {@code p=}, {@code y} or {@code n} as RFC 5802 says, and a binding that does not match the
 * server's end (a man in the middle with another certificate) fails the session before any mail.
 */
class ChannelBindingTest {

    private static final String USER = "lmtp-user";
    private static final String PASSWORD = "Pa55-nOt4LoGs:binding";
    private static final TestCertificates.Authority CA = TestCertificates.authority("binding test CA");
    private static final TestCertificates.Leaf LOOPBACK = CA.issue("localhost", "127.0.0.1");
    private static final Content MESSAGE = Content.of("Subject: bound\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));

    private FakeLmtpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private SaslServerHandler start(List<String> afterTls, TestCertificates.Leaf certificateTheServerBindsTo) throws Exception {
        SaslServerHandler handler = new SaslServerHandler(USER, PASSWORD, List.of("SCRAM-SHA-256"), afterTls, true);
        handler.serverBinding = MessageDigest.getInstance("SHA-256").digest(certificateTheServerBindsTo.certificate().getEncoded());
        server = FakeLmtpServer.start(handler, LOOPBACK.serverContext());
        return handler;
    }

    private DeliveryResult deliver(TlsLevel level, SaslPolicy sasl) {
        LmtpClient client = LmtpClient.builder().lhloName("client.test").timeouts(Timeouts.defaults().withAll(Duration.ofSeconds(5)))
                .tls(TlsPolicy.builder(level).verifyingContext(CA.trustingContext()).build())
                .sasl(sasl).build();
        return client.deliver(Destination.parse("inet:[127.0.0.1]:" + server.port()), Envelope.of("s@origin.test", "a@example.test"),
                MESSAGE);
    }

    private static SaslPolicy binding() {
        return SaslPolicy.of(CredentialSource.fixed(Credentials.of(USER, PASSWORD))).withChannelBinding(ChannelBindingType.TLS_SERVER_END_POINT);
    }

    private List<String> verbs() {
        return server.commands(0).stream().map(c -> c.split(" ")[0] + (c.startsWith("AUTH ") ? " " + c.split(" ")[1] : "")).toList();
    }

    @Test
    void scramSha256PlusShouldBeChosenOnTlsAndBindToTheServerCertificate() throws Exception {
        SaslServerHandler handler = start(List.of("SCRAM-SHA-256", "SCRAM-SHA-256-PLUS", "PLAIN"), LOOPBACK);

        DeliveryResult result = deliver(TlsLevel.VERIFY, binding());

        assertThat(result.allDelivered()).as(result.toString()).isTrue();
        assertThat(verbs()).contains("AUTH SCRAM-SHA-256-PLUS");
        assertThat(handler.gs2Headers).containsExactly("p=tls-server-end-point,,");
        assertThat(server.bodies(0)).hasSize(1);
    }

    @Test
    void aBindingThatIsNotTheServersEndShouldFailTheSessionBeforeAnyMail() throws Exception {
        // the server presents LOOPBACK but binds to another certificate: what a man in the middle
        // with its own certificate (accepted at level encrypt) looks like to the real server
        SaslServerHandler handler = start(List.of("SCRAM-SHA-256-PLUS"), CA.issue("real-store.example"));

        DeliveryResult result = deliver(TlsLevel.ENCRYPT, binding());

        assertThat(handler.gs2Headers).containsExactly("p=tls-server-end-point,,");
        assertThat(result.verdicts()).allSatisfy(o -> {
            assertThat(o.fate()).isEqualTo(Fate.DEFERRED);
            assertThat(o.stage()).isEqualTo(Stage.AUTH);
        });
        assertThat(verbs()).doesNotContain("MAIL");
    }

    @Test
    void clientShouldSayYWhenItCouldBindButTheServerOffersNoPlusMechanism() throws Exception {
        SaslServerHandler handler = start(List.of("SCRAM-SHA-256"), LOOPBACK);

        DeliveryResult result = deliver(TlsLevel.VERIFY, binding());

        assertThat(result.allDelivered()).as(result.toString()).isTrue();
        assertThat(handler.gs2Headers).containsExactly("y,,");
    }

    @Test
    void clientShouldSayNWhenTheFilterExcludesPlusThatTheServerOffers() throws Exception {
        SaslServerHandler handler = start(List.of("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"), LOOPBACK);

        DeliveryResult result = deliver(TlsLevel.VERIFY, binding().withMechanisms(EnumSet.of(Mechanism.SCRAM_SHA_256)));

        assertThat(result.allDelivered()).as(result.toString()).isTrue();
        assertThat(verbs()).contains("AUTH SCRAM-SHA-256");
        assertThat(handler.gs2Headers).containsExactly("n,,");
    }

    @Test
    void clientShouldSayNInClearEvenWithBindingConfigured() throws Exception {
        SaslServerHandler handler = start(List.of("SCRAM-SHA-256-PLUS"), LOOPBACK);

        DeliveryResult result = deliver(TlsLevel.NONE, binding());

        assertThat(result.allDelivered()).as(result.toString()).isTrue();
        assertThat(handler.gs2Headers).containsExactly("n,,");
    }

    @Test
    void withoutChannelBindingConfiguredPlusShouldNeverBeChosen() throws Exception {
        SaslServerHandler handler = start(List.of("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"), LOOPBACK);

        DeliveryResult result = deliver(TlsLevel.VERIFY, SaslPolicy.of(CredentialSource.fixed(Credentials.of(USER, PASSWORD))));

        assertThat(result.allDelivered()).as(result.toString()).isTrue();
        assertThat(verbs()).contains("AUTH SCRAM-SHA-256");
        assertThat(handler.gs2Headers).containsExactly("n,,");
    }
}
