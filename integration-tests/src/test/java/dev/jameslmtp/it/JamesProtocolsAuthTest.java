package dev.jameslmtp.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.jameslmtp.client.Content;
import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.Envelope;
import dev.jameslmtp.client.LmtpClient;
import dev.jameslmtp.client.credentials.CredentialSource;
import dev.jameslmtp.client.credentials.Credentials;
import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.sasl.Mechanism;
import dev.jameslmtp.client.sasl.SaslPolicy;
import dev.jameslmtp.client.session.Stage;
import dev.jameslmtp.client.session.Timeouts;
import dev.jameslmtp.client.tls.TlsLevel;
import dev.jameslmtp.client.tls.TlsPolicy;
import dev.jameslmtp.client.wire.Transcript;
import dev.jameslmtp.testing.TestCertificates;

/**
 * The client against James Protocols' own LMTP server with STARTTLS and an AuthHook (AUTH
 * announced only after STARTTLS): PLAIN and LOGIN after a verified handshake deliver, after an
 * unverified one they are not sent; a wrong password is deferred; in clear with {@code requireAuth}
 * nothing is sent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JamesProtocolsAuthTest {

    private static final String USER = "lmtp@james-protocols.test";
    private static final String PASSWORD = "james-nOt4LoGs:pw";
    private final TestCertificates.Authority ca = TestCertificates.authority("James Protocols test CA");
    private JamesProtocolsLmtpServer server;
    private final List<String> transcript = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        server = new JamesProtocolsLmtpServer(ca.issue("localhost", "127.0.0.1").serverContext(), USER, PASSWORD);
    }

    @BeforeEach
    void forgetTheLastTranscript() {
        transcript.clear();
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private DeliveryResult deliver(TlsLevel level, SaslPolicy sasl, String recipient) {
        LmtpClient client = LmtpClient.builder().lhloName("client.test")
                .timeouts(Timeouts.defaults().withAll(Duration.ofSeconds(10)))
                .tls(TlsPolicy.builder(level).verifyingContext(ca.trustingContext()).build())
                .sasl(sasl)
                .transcript(Transcript.to(line -> {
                    System.out.println(line); // scanned for passwords by the build
                    transcript.add(line);
                }))
                .build();
        return client.deliver(Destination.parse("inet:[127.0.0.1]:" + server.port()), Envelope.of("sender@example.test", recipient),
                Content.of(("Subject: to " + recipient + "\r\n\r\nhello James\r\n").getBytes(StandardCharsets.US_ASCII)));
    }

    private static SaslPolicy only(Mechanism mechanism, String password) {
        return SaslPolicy.of(CredentialSource.fixed(Credentials.of(USER, password))).withMechanisms(EnumSet.of(mechanism));
    }

    private long deliveredTo(String recipient) {
        return server.deliveries().stream().filter(d -> d.recipient().asString().equals(recipient)).count();
    }

    @Test
    void plainAfterVerifiedStartTlsShouldAuthenticateAndDeliver() {
        DeliveryResult result = deliver(TlsLevel.VERIFY, only(Mechanism.PLAIN, PASSWORD), "plain@example.test");

        assertThat(result.allDelivered()).as(result.toString()).isTrue();
        assertThat(deliveredTo("plain@example.test")).isEqualTo(1);
        assertThat(transcript).contains("C: STARTTLS", "C: AUTH PLAIN ****");
        assertThat(String.join("\n", transcript)).doesNotContain(PASSWORD);
    }

    @Test
    void loginAfterVerifiedStartTlsShouldAuthenticateAndDeliver() {
        DeliveryResult result = deliver(TlsLevel.VERIFY, only(Mechanism.LOGIN, PASSWORD), "login@example.test");

        assertThat(result.allDelivered()).as(result.toString()).isTrue();
        assertThat(deliveredTo("login@example.test")).isEqualTo(1);
        assertThat(transcript).contains("C: AUTH LOGIN");
        assertThat(String.join("\n", transcript)).doesNotContain(PASSWORD);
    }

    @Test
    void wrongPasswordShouldBeDeferredAndDeliverNothing() {
        DeliveryResult result = deliver(TlsLevel.VERIFY, only(Mechanism.PLAIN, "wrong-nOt4LoGs"), "wrong@example.test");

        assertThat(result.verdicts()).allSatisfy(o -> {
            assertThat(o.fate()).isEqualTo(Fate.DEFERRED);
            assertThat(o.stage()).isEqualTo(Stage.AUTH);
        });
        assertThat(deliveredTo("wrong@example.test")).isZero();
    }

    @Test
    void plainAfterAnUnverifiedStartTlsShouldNotBeSentByDefault() {
        DeliveryResult result = deliver(TlsLevel.ENCRYPT, only(Mechanism.PLAIN, PASSWORD), "unverified@example.test");

        assertThat(result.verdicts()).allSatisfy(o -> assertThat(o.status().toString()).isEqualTo("4.7.0"));
        assertThat(transcript).contains("C: STARTTLS").noneMatch(line -> line.startsWith("C: AUTH") || line.startsWith("C: MAIL"));
        assertThat(deliveredTo("unverified@example.test")).isZero();
    }

    @Test
    void inClearNoAuthIsAnnouncedSoRequireAuthShouldDeferWithoutMail() {
        DeliveryResult result = deliver(TlsLevel.NONE, only(Mechanism.PLAIN, PASSWORD).withRequireAuth(true), "clear@example.test");

        assertThat(result.verdicts()).allSatisfy(o -> assertThat(o.status().toString()).isEqualTo("4.7.0"));
        assertThat(transcript).noneMatch(line -> line.startsWith("C: MAIL"));
        assertThat(deliveredTo("clear@example.test")).isZero();
    }
}
