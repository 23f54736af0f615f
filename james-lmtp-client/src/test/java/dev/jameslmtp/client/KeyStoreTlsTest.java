package dev.jameslmtp.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.jameslmtp.client.credentials.Secret;
import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.sasl.SaslPolicy;
import dev.jameslmtp.client.session.Timeouts;
import dev.jameslmtp.client.tls.TlsLevel;
import dev.jameslmtp.client.tls.TlsPolicy;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.TestCertificates;

/**
 * Trust and client keys from PKCS#12 and JKS stores, over STARTTLS to the fake server: {@code
 * verify} with a trust store, a client certificate the server requires from a key store or from PEM
 * files, and a wrong store password refused when the policy is built, without showing it.
 */
class KeyStoreTlsTest {

    private static final TestCertificates.Authority CA = TestCertificates.authority("key store test CA");
    private static final TestCertificates.Leaf LOOPBACK = CA.issue("localhost", "127.0.0.1");
    private static final Secret STORE_PASSWORD = Secret.of("st0re-nOt4LoGs");
    private static final Content MESSAGE = Content.of("Subject: stores\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));

    @TempDir
    Path directory;

    private FakeLmtpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static LmtpHandler startTlsHandler() {
        return new LmtpHandler() {
            @Override
            public dev.jameslmtp.testing.Response lhlo(String arg) {
                return LmtpHandler.lhloReply("fake.test", List.of("PIPELINING", "ENHANCEDSTATUSCODES", "STARTTLS"));
            }

            @Override
            public dev.jameslmtp.testing.Response starttls() {
                return dev.jameslmtp.testing.Response.reply("220 2.0.0 Ready to start TLS");
            }
        };
    }

    private DeliveryResult deliver(TlsPolicy tls) {
        LmtpClient client = LmtpClient.builder().lhloName("client.test").timeouts(Timeouts.defaults().withAll(Duration.ofSeconds(5)))
                .tls(tls).sasl(SaslPolicy.NONE).build();
        DeliveryResult result = client.deliver(Destination.parse("inet:[127.0.0.1]:" + server.port()),
                Envelope.of("s@origin.test", "a@example.test"), MESSAGE);
        try {
            server.awaitClosed(server.connectionCount() - 1, Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return result;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"PKCS12", "JKS"})
    void verifyWithATrustStoreShouldDeliverOverStartTls(String type) {
        Path store = directory.resolve("trust." + type.toLowerCase());
        CA.writeTrustStore(store, type, STORE_PASSWORD.reveal().toCharArray());
        server = FakeLmtpServer.start(startTlsHandler(), LOOPBACK.serverContext());

        DeliveryResult result = deliver(TlsPolicy.builder(TlsLevel.VERIFY).trustStore(store, Optional.of(STORE_PASSWORD)).build());

        assertThat(result.allDelivered()).as(result.toString()).isTrue();
        assertThat(server.tlsProtocol(0)).isPresent();
    }

    @Test
    void verifyWithATrustStoreOfAnotherCaShouldDeferWithoutMail() {
        Path store = directory.resolve("other.p12");
        TestCertificates.authority("another CA").writeTrustStore(store, "PKCS12", STORE_PASSWORD.reveal().toCharArray());
        server = FakeLmtpServer.start(startTlsHandler(), LOOPBACK.serverContext());

        DeliveryResult result = deliver(TlsPolicy.builder(TlsLevel.VERIFY).trustStore(store, Optional.of(STORE_PASSWORD)).build());

        assertThat(result.verdicts()).allSatisfy(o -> assertThat(o.status().toString()).isEqualTo("4.7.5"));
        assertThat(server.bodies(0)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"PKCS12", "JKS"})
    void aClientCertificateFromAKeyStoreShouldSatisfyAServerThatRequiresOne(String type) {
        Path keys = directory.resolve("client." + type.toLowerCase());
        Path trust = directory.resolve("trust." + type.toLowerCase());
        CA.issue("james.client.test").writeKeyStore(keys, type, STORE_PASSWORD.reveal().toCharArray());
        CA.writeTrustStore(trust, type, STORE_PASSWORD.reveal().toCharArray());
        server = FakeLmtpServer.startRequiringClientCertificate(startTlsHandler(), LOOPBACK.serverContext(CA));

        DeliveryResult result = deliver(TlsPolicy.builder(TlsLevel.VERIFY).trustStore(trust, Optional.of(STORE_PASSWORD))
                .keyStore(keys, STORE_PASSWORD).build());

        assertThat(result.allDelivered()).as(result.toString()).isTrue();
        assertThat(server.clientCertificate(0)).hasValue("CN=james.client.test");
    }

    @Test
    void aClientCertificateFromPemFilesShouldSatisfyAServerThatRequiresOne() {
        CA.issue("pem.client.test").writePem(directory.resolve("client.pem"), directory.resolve("client.key"));
        server = FakeLmtpServer.startRequiringClientCertificate(startTlsHandler(), LOOPBACK.serverContext(CA));

        DeliveryResult result = deliver(TlsPolicy.builder(TlsLevel.ENCRYPT)
                .clientCertificate(directory.resolve("client.pem"), directory.resolve("client.key")).build());

        assertThat(result.allDelivered()).as(result.toString()).isTrue();
        assertThat(server.clientCertificate(0)).hasValue("CN=pem.client.test");
    }

    @Test
    void withoutAClientCertificateAServerThatRequiresOneShouldLeaveTheMailDeferred() {
        server = FakeLmtpServer.startRequiringClientCertificate(startTlsHandler(), LOOPBACK.serverContext(CA));

        DeliveryResult result = deliver(TlsPolicy.builder(TlsLevel.VERIFY).verifyingContext(CA.trustingContext()).build());

        assertThat(result.verdicts()).allSatisfy(o -> assertThat(o.fate()).isEqualTo(Fate.DEFERRED));
        assertThat(server.bodies(0)).isEmpty();
    }

    @Test
    void aWrongStorePasswordShouldFailTheBuildNamingTheFileNotThePassword() {
        Path keys = directory.resolve("client.p12");
        Path trust = directory.resolve("trust.jks");
        CA.issue("james.client.test").writeKeyStore(keys, "PKCS12", STORE_PASSWORD.reveal().toCharArray());
        CA.writeTrustStore(trust, "JKS", STORE_PASSWORD.reveal().toCharArray());
        String wrong = "wr0ng-nOt4LoGs";

        assertThatThrownBy(() -> TlsPolicy.builder(TlsLevel.ENCRYPT).keyStore(keys, Secret.of(wrong)).build())
                .hasMessageContaining(keys.toString()).hasMessageContaining("wrong password")
                .hasMessageNotContaining(wrong).hasMessageNotContaining(STORE_PASSWORD.reveal());
        assertThatThrownBy(() -> TlsPolicy.builder(TlsLevel.VERIFY).trustStore(trust, Optional.of(Secret.of(wrong))).build())
                .hasMessageContaining(trust.toString()).hasMessageContaining("wrong password")
                .hasMessageNotContaining(wrong);
    }

    @Test
    void pemFilesAndAStoreForTheSameThingShouldBeRefused() {
        Path keys = directory.resolve("client.p12");
        CA.issue("james.client.test").writeKeyStore(keys, "PKCS12", STORE_PASSWORD.reveal().toCharArray());
        CA.writeTrustStore(directory.resolve("trust.p12"), "PKCS12", STORE_PASSWORD.reveal().toCharArray());
        CA.writeCertificatePem(directory.resolve("ca.pem"));

        assertThatThrownBy(() -> TlsPolicy.builder(TlsLevel.VERIFY).caFile(directory.resolve("ca.pem"))
                .trustStore(directory.resolve("trust.p12"), Optional.empty()).build())
                .hasMessageContaining("CA file and a trust store");
        assertThatThrownBy(() -> TlsPolicy.builder(TlsLevel.ENCRYPT).keyStore(keys, STORE_PASSWORD)
                .clientCertificate(directory.resolve("ca.pem"), directory.resolve("ca.pem")).build())
                .hasMessageContaining("key store");
    }

    @Test
    void thePolicyShouldNameTheStoresButNeverThePasswords() {
        Path keys = directory.resolve("client.p12");
        Path trust = directory.resolve("trust.p12");
        CA.issue("james.client.test").writeKeyStore(keys, "PKCS12", STORE_PASSWORD.reveal().toCharArray());
        CA.writeTrustStore(trust, "PKCS12", STORE_PASSWORD.reveal().toCharArray());

        TlsPolicy policy = TlsPolicy.builder(TlsLevel.VERIFY).trustStore(trust, Optional.of(STORE_PASSWORD)).keyStore(keys, STORE_PASSWORD).build();

        assertThat(policy.toString()).contains("truststore=" + trust).contains("keystore=" + keys).doesNotContain(STORE_PASSWORD.reveal());
    }
}
