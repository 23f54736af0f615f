package dev.jameslmtp.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.jameslmtp.client.credentials.CredentialSource;
import dev.jameslmtp.client.credentials.Credentials;
import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.sasl.ChannelBindingType;
import dev.jameslmtp.client.sasl.Mechanism;
import dev.jameslmtp.client.sasl.SaslPolicy;
import dev.jameslmtp.client.sasl.SecurityOptions;
import dev.jameslmtp.client.session.LmtpConnection;
import dev.jameslmtp.client.session.Stage;
import dev.jameslmtp.client.session.Timeouts;
import dev.jameslmtp.client.tls.TlsLevel;
import dev.jameslmtp.client.tls.TlsPolicy;
import dev.jameslmtp.client.wire.Transcript;
import dev.jameslmtp.testing.CyrusLmtpServer;
import dev.jameslmtp.testing.TestCertificates;

/**
 * AUTH and STARTTLS against a real Cyrus lmtpd, which requires AUTH on TCP: every mechanism, in
 * clear and after STARTTLS, delivers into the Cyrus mailbox; the failures defer and deliver nothing.
 */
class CyrusAuthenticationTest {

    private static final String PASSWORD = "cyrus-nOt4LoGs:1 2";
    private static final TestCertificates.Authority CA = TestCertificates.authority("cyrus test CA");
    private static CyrusLmtpServer cyrus;

    private final List<String> transcript = new java.util.concurrent.CopyOnWriteArrayList<>(); // QUIT's reply may come on another thread

    @BeforeAll
    static void startCyrus() {
        cyrus = CyrusLmtpServer.start(Path.of("target/cyrus-auth"),
                CyrusLmtpServer.Options.of(PASSWORD, "alice", "bob").withTls(CA.issue("localhost", "127.0.0.1")));
    }

    @AfterAll
    static void stopCyrus() {
        if (cyrus != null) {
            cyrus.close();
        }
    }

    private DeliveryResult deliver(int port, TlsLevel level, SaslPolicy sasl, String recipient, String subject) {
        LmtpClient client = LmtpClient.builder().lhloName("client.test")
                .timeouts(Timeouts.defaults().withAll(Duration.ofSeconds(20)))
                .tls(TlsPolicy.builder(level).verifyingContext(CA.trustingContext()).build())
                .sasl(sasl)
                .transcript(Transcript.to(line -> {
                    System.out.println(line); // into the surefire output that the build scans for passwords
                    transcript.add(line);
                }))
                .build();
        Content content = Content.of(("Subject: " + subject + "\r\n\r\nhello Cyrus\r\n").getBytes(StandardCharsets.US_ASCII));
        return client.deliver(Destination.parse("inet:[127.0.0.1]:" + port), Envelope.of("sender@example.test", recipient), content);
    }

    private static SaslPolicy only(Mechanism mechanism, String password) {
        return SaslPolicy.of(CredentialSource.fixed(Credentials.of(CyrusLmtpServer.ADMIN, password)))
                .withMechanisms(EnumSet.of(mechanism))
                .withOptions(SecurityOptions.NO_ANONYMOUS, SecurityOptions.DEFAULT, SecurityOptions.NO_ANONYMOUS); // PLAIN in clear, as asked
    }

    private static long stored(String user, String subject) {
        return cyrus.messages(user).stream().filter(m -> m.contains("Subject: " + subject + "\r\n")).count();
    }

    static Stream<Arguments> mechanismsAndLevels() {
        return Stream.of(Mechanism.values()).filter(m -> !m.channelBinding())
                .flatMap(m -> Stream.of(Arguments.of(m, TlsLevel.NONE), Arguments.of(m, TlsLevel.VERIFY))); // PLAIN, LOGIN: verified only
    }

    @ParameterizedTest(name = "{0} with TLS {1}")
    @MethodSource("mechanismsAndLevels")
    void everyMechanismShouldDeliverIntoTheCyrusMailboxWithAndWithoutStartTls(Mechanism mechanism, TlsLevel level) {
        String subject = "mechanism " + mechanism + " tls " + level;

        DeliveryResult result = deliver(cyrus.port(), level, only(mechanism, PASSWORD), "alice", subject);

        assertThat(result.allDelivered()).as(result.toString()).isTrue();
        assertThat(stored("alice", subject)).isEqualTo(1);
        assertThat(String.join("\n", transcript)).doesNotContain(PASSWORD);
    }

    @Test
    void defaultPolicyShouldChooseScramSha256AndVerifyTheCertificateAfterStartTls() throws Exception {
        LmtpClient client = LmtpClient.builder().lhloName("client.test")
                .tls(TlsPolicy.builder(TlsLevel.VERIFY).verifyingContext(CA.trustingContext()).build())
                .sasl(SaslPolicy.of(CredentialSource.fixed(Credentials.of(CyrusLmtpServer.ADMIN, PASSWORD))))
                .build();
        try (LmtpConnection connection = client.connect(Destination.parse("inet:[127.0.0.1]:" + cyrus.port()))) {
            assertThat(connection.session().mechanism()).hasValue(Mechanism.SCRAM_SHA_256);
            assertThat(connection.session().encrypted()).isTrue();
            // Cyrus adds the channel-binding variants after TLS; without saslChannelBinding they are never chosen
            assertThat(connection.capabilities().authMechanisms()).contains("SCRAM-SHA-256-PLUS");
        }
    }

    /**
     * Cyrus 3.6 gives SASL the {@code tls-unique} binding only (its tls.c sets the TLS Finished
     * message as the binding), and the SCRAM plugin refuses any other type: tls-server-end-point,
     * the only type a JDK can compute, fails there; the recipients are deferred and nothing is
     * delivered unauthenticated.
     */
    @Test
    void cyrusShouldRefuseTlsServerEndPointBindingSinceItBindsToTlsUniqueOnly() {
        SaslPolicy binding = SaslPolicy.of(CredentialSource.fixed(Credentials.of(CyrusLmtpServer.ADMIN, PASSWORD)))
                .withChannelBinding(ChannelBindingType.TLS_SERVER_END_POINT);

        DeliveryResult result = deliver(cyrus.port(), TlsLevel.VERIFY, binding, "bob", "bound to end point");

        assertThat(transcript).anyMatch(line -> line.startsWith("C: AUTH SCRAM-SHA-256-PLUS"));
        assertThat(result.verdicts()).allSatisfy(o -> {
            assertThat(o.fate()).isEqualTo(Fate.DEFERRED);
            assertThat(o.stage()).isEqualTo(Stage.AUTH);
        });
        assertThat(transcript).noneMatch(line -> line.startsWith("C: MAIL"));
        assertThat(stored("bob", "bound to end point")).isZero();
    }

    @Test
    void withBindingConfiguredAndPlusFilteredOutCyrusShouldAcceptScramWithN() {
        SaslPolicy binding = SaslPolicy.of(CredentialSource.fixed(Credentials.of(CyrusLmtpServer.ADMIN, PASSWORD)))
                .withChannelBinding(ChannelBindingType.TLS_SERVER_END_POINT)
                .withMechanisms(EnumSet.of(Mechanism.SCRAM_SHA_256));

        DeliveryResult result = deliver(cyrus.port(), TlsLevel.VERIFY, binding, "bob", "plus filtered out");

        assertThat(result.allDelivered()).as(result.toString()).isTrue();
        assertThat(stored("bob", "plus filtered out")).isEqualTo(1);
    }

    @Test
    void wrongPasswordShouldBeDeferredWithCyrusOwn501AndDeliverNothing() {
        DeliveryResult result = deliver(cyrus.port(), TlsLevel.NONE, only(Mechanism.SCRAM_SHA_256, "wrong-nOt4LoGs"), "bob", "wrong password");

        assertThat(result.verdicts()).allSatisfy(o -> {
            assertThat(o.fate()).isEqualTo(Fate.DEFERRED);
            assertThat(o.stage()).isEqualTo(Stage.AUTH);
        });
        assertThat(stored("bob", "wrong password")).isZero();
    }

    @Test
    void withoutCredentialsCyrusShouldRefuseMailWith430AndTheRecipientsBeDeferred() {
        DeliveryResult result = deliver(cyrus.port(), TlsLevel.NONE, SaslPolicy.NONE, "bob", "no credentials");

        assertThat(result.verdicts()).allSatisfy(o -> {
            assertThat(o.fate()).isEqualTo(Fate.DEFERRED);
            assertThat(o.code()).isEqualTo(430);
        });
        assertThat(transcript).noneMatch(line -> line.startsWith("C: AUTH"));
        assertThat(stored("bob", "no credentials")).isZero();
    }

    @Test
    void strictServiceShouldOfferNoPlaintextMechanismInClearSoPlainIsDeferredWithoutMail() {
        DeliveryResult result = deliver(cyrus.strictPort(), TlsLevel.NONE, only(Mechanism.PLAIN, PASSWORD), "bob", "strict clear");

        assertThat(result.verdicts()).allSatisfy(o -> assertThat(o.status().toString()).isEqualTo("4.7.0"));
        assertThat(transcript).noneMatch(line -> line.startsWith("C: MAIL"));
        assertThat(stored("bob", "strict clear")).isZero();
    }

    @Test
    void strictServiceShouldAcceptPlainAfterStartTlsWithAVerifiedCertificate() {
        DeliveryResult result = deliver(cyrus.strictPort(), TlsLevel.VERIFY, only(Mechanism.PLAIN, PASSWORD), "bob", "strict tls");

        assertThat(result.allDelivered()).as(result.toString()).isTrue();
        assertThat(stored("bob", "strict tls")).isEqualTo(1);
    }

    @Test
    void verifyShouldDeferWhenTheServerCertificateIsNotFromTheTrustedCa() {
        LmtpClient client = LmtpClient.builder().lhloName("client.test")
                .tls(TlsPolicy.builder(TlsLevel.VERIFY).verifyingContext(TestCertificates.authority("another CA").trustingContext()).build())
                .sasl(only(Mechanism.PLAIN, PASSWORD))
                .build();

        DeliveryResult result = client.deliver(Destination.parse("inet:[127.0.0.1]:" + cyrus.port()),
                Envelope.of("sender@example.test", "bob"), Content.of("Subject: untrusted\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII)));

        assertThat(result.verdicts()).allSatisfy(o -> assertThat(o.status().toString()).isEqualTo("4.7.5"));
        assertThat(stored("bob", "untrusted")).isZero();
    }
}
