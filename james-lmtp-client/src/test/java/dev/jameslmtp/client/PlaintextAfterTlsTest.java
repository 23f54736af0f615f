package dev.jameslmtp.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.credentials.CredentialSource;
import dev.jameslmtp.client.credentials.Credentials;
import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.sasl.Mechanism;
import dev.jameslmtp.client.sasl.Protection;
import dev.jameslmtp.client.sasl.SaslPolicy;
import dev.jameslmtp.client.sasl.SecurityOptions;
import dev.jameslmtp.client.session.Stage;
import dev.jameslmtp.client.session.Timeouts;
import dev.jameslmtp.client.tls.TlsLevel;
import dev.jameslmtp.client.tls.TlsPolicy;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.Response;
import dev.jameslmtp.testing.TestCertificates;

/**
 * The store password and a peer in the middle: one that answers STARTTLS with a certificate of its
 * own making and then offers only AUTH PLAIN must not get the password at {@code may} or
 * {@code encrypt} unless the operator said so; a store whose certificate was verified gets it.
 */
class PlaintextAfterTlsTest {

    private static final Credentials CREDENTIALS = Credentials.of("lmtp-user", "Pa55-nOt4LoGs");
    private static final Content MESSAGE = Content.of("Subject: hi\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
    private static final Envelope ENVELOPE = Envelope.of("sender@origin.test", "a@example.test");
    private static final TestCertificates.Authority TRUSTED = TestCertificates.authority("store CA");
    /** The attacker's certificate: names the address, signed by nobody the client trusts. */
    private static final TestCertificates.Leaf SELF_MADE = TestCertificates.authority("in the middle").issue("127.0.0.1");

    private FakeLmtpServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    /** STARTTLS, then only AUTH PLAIN, accepting whatever it is given; keeps every AUTH line. */
    private static final class PlainOnlyAfterTls implements LmtpHandler {
        final List<String> authLines = new CopyOnWriteArrayList<>();

        @Override
        public Response lhlo(String arg) {
            return LmtpHandler.lhloReply("store.test", List.of("PIPELINING", "ENHANCEDSTATUSCODES", "STARTTLS"));
        }

        @Override
        public Response lhloAfterTls(String arg) {
            return LmtpHandler.lhloReply("store.test", List.of("PIPELINING", "ENHANCEDSTATUSCODES", "AUTH PLAIN"));
        }

        @Override
        public Response starttls() {
            return Response.reply("220 2.0.0 Ready to start TLS");
        }

        @Override
        public Response auth(String args) {
            authLines.add(args);
            return Response.reply("235 2.7.0 Authentication successful");
        }
    }

    private DeliveryResult deliver(PlainOnlyAfterTls handler, TestCertificates.Leaf certificate, TlsLevel level, SaslPolicy sasl) {
        server = FakeLmtpServer.start(handler, certificate.serverContext());
        LmtpClient client = LmtpClient.builder().lhloName("client.test").timeouts(Timeouts.defaults().withAll(Duration.ofSeconds(5)))
                .tls(TlsPolicy.builder(level).verifyingContext(TRUSTED.trustingContext()).build())
                .sasl(sasl)
                .build();
        return client.deliver(Destination.parse("inet:[127.0.0.1]:" + server.port()), ENVELOPE, MESSAGE);
    }

    private void assertPasswordKept(PlainOnlyAfterTls handler, DeliveryResult result) {
        assertThat(server.tlsProtocol(0)).as("the handshake with the peer in the middle succeeded").isPresent();
        assertThat(handler.authLines).isEmpty();
        assertThat(server.commands(0)).noneMatch(c -> c.startsWith("AUTH") || c.startsWith("MAIL"));
        assertThat(result.verdicts()).allSatisfy(o -> {
            assertThat(o.fate()).isEqualTo(Fate.DEFERRED);
            assertThat(o.stage()).isEqualTo(Stage.AUTH);
            assertThat(o.status().toString()).isEqualTo("4.7.0");
            assertThat(o.text()).contains("no compatible authentication mechanisms").contains("not verified");
        });
    }

    @Test
    void plainShouldNotReachAPeerWithAnUnverifiedCertificateAtEncrypt() {
        PlainOnlyAfterTls handler = new PlainOnlyAfterTls();

        DeliveryResult result = deliver(handler, SELF_MADE, TlsLevel.ENCRYPT, SaslPolicy.of(CredentialSource.fixed(CREDENTIALS)));

        assertPasswordKept(handler, result);
    }

    @Test
    void plainShouldNotReachAPeerWithAnUnverifiedCertificateAtMay() {
        PlainOnlyAfterTls handler = new PlainOnlyAfterTls();

        DeliveryResult result = deliver(handler, SELF_MADE, TlsLevel.MAY, SaslPolicy.of(CredentialSource.fixed(CREDENTIALS)));

        assertPasswordKept(handler, result);
    }

    @Test
    void plainShouldBeSentAfterAnUnverifiedHandshakeWhenTheTlsSecurityOptionsAllowIt() {
        PlainOnlyAfterTls handler = new PlainOnlyAfterTls();
        SaslPolicy explicit = SaslPolicy.of(CredentialSource.fixed(CREDENTIALS))
                .withOptions(SecurityOptions.DEFAULT, SecurityOptions.NO_ANONYMOUS, SecurityOptions.NO_ANONYMOUS);

        DeliveryResult result = deliver(handler, SELF_MADE, TlsLevel.ENCRYPT, explicit);

        assertThat(result.allDelivered()).as(result.toString()).isTrue();
        assertThat(handler.authLines).singleElement().satisfies(line -> assertThat(line).startsWith("PLAIN "));
    }

    @Test
    void plainShouldBeSentAfterAVerifiedHandshakeByDefault() {
        PlainOnlyAfterTls handler = new PlainOnlyAfterTls();

        DeliveryResult result = deliver(handler, TRUSTED.issue("127.0.0.1"), TlsLevel.VERIFY,
                SaslPolicy.of(CredentialSource.fixed(CREDENTIALS)));

        assertThat(result.allDelivered()).as(result.toString()).isTrue();
        assertThat(handler.authLines).singleElement().satisfies(line -> assertThat(line).startsWith("PLAIN "));
    }

    @Test
    void verifiedSecurityOptionsShouldKeepPlainFromEvenAVerifiedStoreWhenTheySaySo() {
        PlainOnlyAfterTls handler = new PlainOnlyAfterTls();
        SaslPolicy strict = SaslPolicy.of(CredentialSource.fixed(CREDENTIALS))
                .withOptions(SecurityOptions.DEFAULT, SecurityOptions.DEFAULT, SecurityOptions.DEFAULT);

        DeliveryResult result = deliver(handler, TRUSTED.issue("127.0.0.1"), TlsLevel.VERIFY, strict);

        assertThat(handler.authLines).isEmpty();
        assertThat(result.verdicts()).allSatisfy(o -> assertThat(o.status().toString()).isEqualTo("4.7.0"));
    }

    @Test
    void plaintextToUnverifiedPeersShouldNameWhereTheOptionsLetThePasswordGo() {
        SaslPolicy defaults = SaslPolicy.of(CredentialSource.fixed(CREDENTIALS));
        SaslPolicy laxTls = defaults.withOptions(SecurityOptions.DEFAULT, SecurityOptions.NO_ANONYMOUS, SecurityOptions.NO_ANONYMOUS);
        SaslPolicy laxEverywhere = defaults.withOptions(SecurityOptions.NO_ANONYMOUS, SecurityOptions.NO_ANONYMOUS,
                SecurityOptions.NO_ANONYMOUS);

        for (TlsLevel level : TlsLevel.values()) {
            assertThat(defaults.plaintextToUnverifiedPeers(level)).as("defaults at %s", level).isEmpty();
        }
        assertThat(laxTls.plaintextToUnverifiedPeers(TlsLevel.ENCRYPT)).containsExactly(Protection.ENCRYPTED);
        assertThat(laxTls.plaintextToUnverifiedPeers(TlsLevel.VERIFY)).isEmpty();
        assertThat(laxTls.plaintextToUnverifiedPeers(TlsLevel.NONE)).isEmpty();
        assertThat(laxEverywhere.plaintextToUnverifiedPeers(TlsLevel.MAY)).containsExactly(Protection.CLEAR, Protection.ENCRYPTED);
        assertThat(laxEverywhere.withMechanisms(EnumSet.of(Mechanism.SCRAM_SHA_256)).plaintextToUnverifiedPeers(TlsLevel.MAY)).isEmpty();
    }
}
