package dev.jameslmtp.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.credentials.CredentialSource;
import dev.jameslmtp.client.credentials.Credentials;
import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.sasl.AuthFailureCache;
import dev.jameslmtp.client.sasl.Mechanism;
import dev.jameslmtp.client.sasl.SaslPolicy;
import dev.jameslmtp.client.sasl.SecurityOptions;
import dev.jameslmtp.client.session.LmtpConnection;
import dev.jameslmtp.client.session.SessionKey;
import dev.jameslmtp.client.session.Stage;
import dev.jameslmtp.client.session.Timeouts;
import dev.jameslmtp.client.tls.TlsLevel;
import dev.jameslmtp.client.tls.TlsPolicy;
import dev.jameslmtp.client.wire.Transcript;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.MutableClock;
import dev.jameslmtp.testing.Response;
import dev.jameslmtp.testing.TestCertificates;

/**
 * Opening a session against a scripted server: STARTTLS at each level, AUTH with each mechanism,
 * and every way they fail. Where a failure must keep mail from going out, the test checks that the
 * server saw no MAIL command.
 */
class SessionOpeningTest {

    private static final String USER = "lmtp-user";
    private static final String PASSWORD = "Pa55-nOt4LoGs:with spaces";
    private static final Credentials CREDENTIALS = Credentials.of(USER, PASSWORD);
    private static final Content MESSAGE = Content.of("Subject: hi\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
    private static final Envelope ENVELOPE = Envelope.of("sender@origin.test", "a@example.test", "b@example.test");
    private static final Timeouts QUICK = Timeouts.defaults().withAll(Duration.ofSeconds(5));
    private static final TestCertificates.Authority CA = TestCertificates.authority("james-lmtp test CA");
    private static final TestCertificates.Leaf LOOPBACK = CA.issue("localhost", "127.0.0.1");
    private static final TestCertificates.Leaf OTHER_HOST = CA.issue("other.example");

    private final List<String> transcript = new java.util.concurrent.CopyOnWriteArrayList<>(); // QUIT's reply may come on another thread
    private FakeLmtpServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private void start(LmtpHandler handler) {
        server = FakeLmtpServer.start(handler, LOOPBACK.serverContext());
    }

    private Destination destination() {
        return Destination.parse("inet:[127.0.0.1]:" + server.port());
    }

    private LmtpClient client(TlsLevel level, SaslPolicy sasl) {
        return LmtpClient.builder().lhloName("client.test").timeouts(QUICK)
                .tls(TlsPolicy.builder(level).verifyingContext(CA.trustingContext()).build())
                .sasl(sasl)
                .transcript(Transcript.to(line -> {
                    System.out.println(line); // into the surefire output that the build scans for passwords
                    synchronized (transcript) {
                        transcript.add(line);
                    }
                })).build();
    }

    private static SaslPolicy withCredentials() {
        return SaslPolicy.of(CredentialSource.fixed(CREDENTIALS));
    }

    /** Delivers, then waits (bounded) for the server to see the end of the conversation: QUIT is not awaited by deliver. */
    private DeliveryResult deliver(TlsLevel level, SaslPolicy sasl) {
        DeliveryResult result = client(level, sasl).deliver(destination(), ENVELOPE, MESSAGE);
        try {
            server.awaitClosed(server.connectionCount() - 1, Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return result;
    }

    private List<String> verbs(int connection) {
        return server.commands(connection).stream().map(c -> c.split(" ")[0]).toList();
    }

    private static SaslServerHandler tlsServer(String... mechanismsAfterTls) {
        return new SaslServerHandler(USER, PASSWORD, List.of(), List.of(mechanismsAfterTls), true);
    }

    private static SaslServerHandler clearServer(String... mechanisms) {
        return new SaslServerHandler(USER, PASSWORD, List.of(mechanisms), List.of(), false);
    }

    private void assertDeferredWithoutMail(DeliveryResult result, Stage stage, String status) {
        assertThat(result.verdicts()).allSatisfy(o -> {
            assertThat(o.fate()).isEqualTo(Fate.DEFERRED);
            assertThat(o.stage()).isEqualTo(stage);
            assertThat(o.status().toString()).isEqualTo(status);
        });
        for (int i = 0; i < server.connectionCount(); i++) {
            assertThat(verbs(i)).doesNotContain("MAIL", "RCPT", "DATA");
        }
    }

    private void assertNoSecretInTranscript() {
        String all = String.join("\n", transcript);
        assertThat(all).doesNotContain(PASSWORD)
                .doesNotContain(Base64.getEncoder().encodeToString(("\0" + USER + "\0" + PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .doesNotContain(Base64.getEncoder().encodeToString(PASSWORD.getBytes(StandardCharsets.UTF_8)));
    }

    // --- AUTH, each mechanism

    @Test
    void plainShouldAuthenticateAfterStartTlsAndRedactThePayloadInTheTranscript() throws InterruptedException {
        start(tlsServer("PLAIN"));

        DeliveryResult result = deliver(TlsLevel.VERIFY, withCredentials());

        assertThat(result.allDelivered()).isTrue();
        assertThat(verbs(0)).containsExactly("LHLO", "STARTTLS", "LHLO", "AUTH", "MAIL", "RCPT", "RCPT", "DATA", "QUIT");
        assertThat(server.tlsProtocol(0)).isPresent();
        assertThat(transcript).contains("C: AUTH PLAIN " + Transcript.REDACTED);
        assertNoSecretInTranscript();
    }

    @Test
    void loginShouldSendTheUserThenThePasswordAsSeparateRedactedLines() {
        start(tlsServer("LOGIN"));

        DeliveryResult result = deliver(TlsLevel.VERIFY, withCredentials());

        assertThat(result.allDelivered()).isTrue();
        assertThat(transcript).contains("C: AUTH LOGIN", "S: 334 " + Transcript.REDACTED, "C: " + Transcript.REDACTED);
        assertNoSecretInTranscript();
    }

    @Test
    void cramMd5ShouldBeUsedInClearSinceItIsNotAPlaintextMechanism() {
        start(clearServer("PLAIN", "LOGIN", "CRAM-MD5"));

        DeliveryResult result = deliver(TlsLevel.NONE, withCredentials());

        assertThat(result.allDelivered()).isTrue();
        assertThat(server.commands(0)).contains("AUTH CRAM-MD5");
        assertNoSecretInTranscript();
    }

    @Test
    void scramSha256ShouldBeChosenFirstAndCheckTheServerSignatureSentAsA334() {
        SaslServerHandler handler = clearServer("PLAIN", "CRAM-MD5", "SCRAM-SHA-256");
        start(handler);

        LmtpClient client = client(TlsLevel.NONE, withCredentials());
        DeliveryResult result = client.deliver(destination(), ENVELOPE, MESSAGE);

        assertThat(result.allDelivered()).isTrue();
        assertThat(server.commands(0).get(1)).startsWith("AUTH SCRAM-SHA-256 ");
        // client-final, then the empty line that answers the server's v= challenge
        assertThat(server.commands(0).get(3)).isEmpty();
        assertNoSecretInTranscript();
    }

    @Test
    void scramShouldFailTheSessionWhenTheServerSignatureIsWrong() {
        SaslServerHandler handler = clearServer("SCRAM-SHA-256");
        handler.corruptServerSignature = true;
        start(handler);

        DeliveryResult result = deliver(TlsLevel.NONE, withCredentials());

        assertDeferredWithoutMail(result, Stage.AUTH, "4.7.0");
        assertThat(result.verdicts().get(0).text()).contains("server signature is wrong");
        assertThat(server.commands(0)).contains("*");
    }

    @Test
    void mechanismFilterShouldLeaveOutMechanismsNotListed() {
        start(clearServer("SCRAM-SHA-256", "CRAM-MD5"));

        DeliveryResult result = deliver(TlsLevel.NONE, withCredentials().withMechanisms(EnumSet.of(Mechanism.CRAM_MD5)));

        assertThat(result.allDelivered()).isTrue();
        assertThat(server.commands(0)).contains("AUTH CRAM-MD5");
    }

    // --- AUTH failures

    @Test
    void wrongPasswordShouldDeferCloseTheConnectionAndBeRememberedUntilTheCacheExpires() throws InterruptedException {
        MutableClock clock = new MutableClock();
        SaslPolicy sasl = SaslPolicy.of(CredentialSource.fixed(Credentials.of(USER, "wrong-nOt4LoGs")))
                .withFailureCache(new AuthFailureCache(clock, Duration.ofMinutes(10)));
        SaslServerHandler handler = clearServer("CRAM-MD5");
        start(handler);
        LmtpClient client = client(TlsLevel.NONE, sasl);

        DeliveryResult first = client.deliver(destination(), ENVELOPE, MESSAGE);
        assertDeferredWithoutMail(first, Stage.AUTH, "4.7.8");
        assertThat(first.verdicts().get(0).code()).isEqualTo(535);
        assertThat(server.awaitClosed(0, Duration.ofSeconds(5))).isTrue();
        assertThat(verbs(0)).doesNotContain("QUIT"); // closed, not reused

        // 5 minutes later: remembered, AUTH not tried
        clock.advance(Duration.ofMinutes(5));
        DeliveryResult second = client.deliver(destination(), ENVELOPE, MESSAGE);
        assertDeferredWithoutMail(second, Stage.AUTH, "4.7.8");
        assertThat(second.verdicts().get(0).text()).contains("failed recently");
        assertThat(handler.authCommands).hasValue(1);

        // 11 minutes after the failure: forgotten, tried again
        clock.advance(Duration.ofMinutes(6));
        client.deliver(destination(), ENVELOPE, MESSAGE);
        assertThat(handler.authCommands).hasValue(2);
    }

    @Test
    void cyrusStyle501ReplyToAWrongPasswordShouldBeDeferredLikeA535() {
        SaslServerHandler handler = clearServer("CRAM-MD5");
        handler.refusal = "501 5.5.4 Invalid argument";
        start(handler);

        DeliveryResult result = deliver(TlsLevel.NONE, SaslPolicy.of(CredentialSource.fixed(Credentials.of(USER, "wrong-nOt4LoGs"))));

        assertDeferredWithoutMail(result, Stage.AUTH, "4.5.4");
        assertThat(result.verdicts().get(0).code()).isEqualTo(501);
    }

    @Test
    void refusalShouldBounceWhenSoftBounceIsOff() {
        start(clearServer("CRAM-MD5"));

        DeliveryResult result = deliver(TlsLevel.NONE,
                SaslPolicy.of(CredentialSource.fixed(Credentials.of(USER, "wrong-nOt4LoGs"))).withSoftBounce(false));

        assertThat(result.verdicts()).allSatisfy(o -> {
            assertThat(o.fate()).isEqualTo(Fate.BOUNCED);
            assertThat(o.status().toString()).isEqualTo("5.7.8");
        });
    }

    @Test
    void noCredentialsShouldSendNoAuth() {
        start(clearServer("CRAM-MD5"));

        DeliveryResult result = deliver(TlsLevel.NONE, SaslPolicy.NONE);

        assertThat(result.allDelivered()).isTrue();
        assertThat(verbs(0)).doesNotContain("AUTH");
    }

    @Test
    void requireAuthShouldDeferWith470AndSendNoMailWhenTheServerOffersNoAuth() {
        start(clearServer());

        DeliveryResult result = deliver(TlsLevel.NONE, withCredentials().withRequireAuth(true));

        assertDeferredWithoutMail(result, Stage.AUTH, "4.7.0");
        assertThat(result.verdicts().get(0).text()).contains("does not offer AUTH");
    }

    @Test
    void withoutRequireAuthAServerWithoutAuthShouldGetTheMailUnauthenticated() {
        start(clearServer());

        assertThat(deliver(TlsLevel.NONE, withCredentials()).allDelivered()).isTrue();
    }

    @Test
    void requireAuthShouldDeferWhenThereAreNoCredentialsForTheDestination() {
        start(clearServer("CRAM-MD5"));

        DeliveryResult result = deliver(TlsLevel.NONE, SaslPolicy.NONE.withRequireAuth(true));

        assertDeferredWithoutMail(result, Stage.AUTH, "4.7.0");
    }

    @Test
    void plaintextMechanismsShouldBeRefusedOnAConnectionInClear() {
        start(clearServer("PLAIN", "LOGIN"));

        DeliveryResult result = deliver(TlsLevel.NONE, withCredentials());

        assertDeferredWithoutMail(result, Stage.AUTH, "4.7.0");
        assertThat(result.verdicts().get(0).text()).contains("no compatible authentication mechanisms");
        assertThat(verbs(0)).doesNotContain("AUTH");
    }

    @Test
    void plaintextMechanismsShouldBeAllowedInClearWhenTheSecurityOptionsSaySo() {
        start(clearServer("PLAIN"));

        DeliveryResult result = deliver(TlsLevel.NONE,
                withCredentials().withOptions(SecurityOptions.NO_ANONYMOUS, SecurityOptions.NO_ANONYMOUS, SecurityOptions.NO_ANONYMOUS));

        assertThat(result.allDelivered()).isTrue();
    }

    @Test
    void aTrustedUnixSocketShouldAllowPlainInClearAndAnUntrustedOneNot() {
        server = FakeLmtpServer.startUnix(java.nio.file.Path.of("target", "sasl-unix.sock"), clearServer("PLAIN"));
        Destination unix = Destination.parse("unix:" + server.socketPath());

        DeliveryResult untrusted = client(TlsLevel.NONE, withCredentials()).deliver(unix, ENVELOPE, MESSAGE);
        DeliveryResult trusted = client(TlsLevel.NONE, withCredentials().withTrustUnixSocket(true)).deliver(unix, ENVELOPE, MESSAGE);

        assertThat(untrusted.verdicts()).allSatisfy(o -> assertThat(o.status().toString()).isEqualTo("4.7.0"));
        assertThat(trusted.allDelivered()).as(trusted.toString()).isTrue();
        assertThat(server.commands(1)).anySatisfy(c -> assertThat(c).startsWith("AUTH PLAIN "));
    }

    // --- STARTTLS

    @Test
    void capabilitiesShouldBeForgottenAfterStartTls() {
        // in clear the server offers CRAM-MD5; after TLS only PLAIN: the client must use PLAIN
        start(new SaslServerHandler(USER, PASSWORD, List.of("CRAM-MD5"), List.of("PLAIN"), true));

        DeliveryResult result = deliver(TlsLevel.VERIFY, withCredentials());

        assertThat(result.allDelivered()).isTrue();
        assertThat(server.commands(0)).anySatisfy(c -> assertThat(c).startsWith("AUTH PLAIN "));
    }

    @Test
    void encryptShouldDeferWithoutSendingMailWhenStartTlsIsNotOffered() {
        start(clearServer());

        DeliveryResult result = deliver(TlsLevel.ENCRYPT, SaslPolicy.NONE);

        assertDeferredWithoutMail(result, Stage.STARTTLS, "4.7.4");
        assertThat(verbs(0)).containsExactly("LHLO");
    }

    @Test
    void encryptShouldDeferWithoutSendingMailWhenStartTlsIsRefused() {
        start(new SaslServerHandler(USER, PASSWORD, List.of(), List.of(), true) {
            @Override
            public Response starttls() {
                return Response.reply("454 4.7.0 TLS not available due to temporary reason");
            }
        });

        DeliveryResult result = deliver(TlsLevel.ENCRYPT, SaslPolicy.NONE);

        assertDeferredWithoutMail(result, Stage.STARTTLS, "4.7.4");
    }

    @Test
    void mayShouldContinueInClearWhenStartTlsIsRefused() {
        start(new SaslServerHandler(USER, PASSWORD, List.of(), List.of(), true) {
            @Override
            public Response starttls() {
                return Response.reply("454 4.7.0 TLS not available due to temporary reason");
            }
        });

        DeliveryResult result = deliver(TlsLevel.MAY, SaslPolicy.NONE);

        assertThat(result.allDelivered()).isTrue();
        assertThat(server.connectionCount()).isEqualTo(1);
    }

    @Test
    void mayShouldRetryInClearOnANewConnectionWhenTheHandshakeFails() {
        // a server that says 220 to STARTTLS but speaks no TLS: the handshake breaks
        server = FakeLmtpServer.start(tlsServer());

        DeliveryResult result = deliver(TlsLevel.MAY, SaslPolicy.NONE);

        assertThat(result.allDelivered()).isTrue();
        assertThat(server.connectionCount()).isEqualTo(2);
        assertThat(verbs(0)).doesNotContain("MAIL");
        assertThat(verbs(1)).doesNotContain("STARTTLS").contains("MAIL");
    }

    @Test
    void encryptShouldDeferWithoutSendingMailWhenTheHandshakeFails() {
        server = FakeLmtpServer.start(tlsServer());

        DeliveryResult result = deliver(TlsLevel.ENCRYPT, SaslPolicy.NONE);

        assertDeferredWithoutMail(result, Stage.STARTTLS, "4.7.5");
        assertThat(server.connectionCount()).isEqualTo(1);
    }

    @Test
    void verifyShouldDeliverWhenTheCertificateChainsToTheCaAndNamesTheHost() {
        start(tlsServer());

        DeliveryResult result = deliver(TlsLevel.VERIFY, SaslPolicy.NONE);

        assertThat(result.allDelivered()).isTrue();
    }

    @Test
    void verifyShouldDeferWhenTheCertificateNamesAnotherHost() {
        server = FakeLmtpServer.start(tlsServer(), OTHER_HOST.serverContext());

        DeliveryResult result = deliver(TlsLevel.VERIFY, SaslPolicy.NONE);

        assertDeferredWithoutMail(result, Stage.STARTTLS, "4.7.5");
    }

    @Test
    void encryptShouldAcceptACertificateForAnotherHost() {
        server = FakeLmtpServer.start(tlsServer(), OTHER_HOST.serverContext());

        assertThat(deliver(TlsLevel.ENCRYPT, SaslPolicy.NONE).allDelivered()).isTrue();
    }

    @Test
    void wrapperModeShouldSpeakTlsFromTheFirstByteWithoutStartTls() {
        server = FakeLmtpServer.startImplicitTls(new SaslServerHandler(USER, PASSWORD, List.of(), List.of("PLAIN"), false),
                LOOPBACK.serverContext());
        LmtpClient client = LmtpClient.builder().lhloName("client.test").timeouts(QUICK)
                .tls(TlsPolicy.builder(TlsLevel.VERIFY).wrapperMode(true).verifyingContext(CA.trustingContext()).build())
                .sasl(withCredentials())
                .build();

        DeliveryResult result = client.deliver(destination(), ENVELOPE, MESSAGE);

        assertThat(result.allDelivered()).as(result.toString()).isTrue();
        assertThat(server.tlsProtocol(0)).isPresent();
        assertThat(verbs(0)).doesNotContain("STARTTLS").contains("AUTH"); // PLAIN allowed: the session is encrypted
    }

    @Test
    void wrapperModeShouldDeferWhenTheServerSpeaksInClear() {
        start(clearServer());
        LmtpClient client = LmtpClient.builder().lhloName("client.test").timeouts(QUICK)
                .tls(TlsPolicy.builder(TlsLevel.ENCRYPT).wrapperMode(true).build())
                .build();

        DeliveryResult result = client.deliver(destination(), ENVELOPE, MESSAGE);

        assertDeferredWithoutMail(result, Stage.STARTTLS, "4.7.5");
    }

    @Test
    void bytesSentInClearAfterThe220ShouldFailTheSession() {
        start(new SaslServerHandler(USER, PASSWORD, List.of(), List.of(), true) {
            @Override
            public Response starttls() {
                return Response.raw("220 2.0.0 go ahead\r\n250-injected\r\n250 AUTH PLAIN\r\n");
            }
        });

        DeliveryResult result = deliver(TlsLevel.ENCRYPT, SaslPolicy.NONE);

        assertDeferredWithoutMail(result, Stage.STARTTLS, "4.5.0");
    }

    @Test
    void connectionShouldReportItsTlsProtocolAndMechanism() throws Exception {
        start(tlsServer("PLAIN"));

        try (LmtpConnection connection = client(TlsLevel.VERIFY, withCredentials()).connect(destination())) {
            assertThat(connection.session().tlsProtocol()).hasValueSatisfying(p -> assertThat(p).startsWith("TLSv1."));
            assertThat(connection.session().mechanism()).hasValue(Mechanism.PLAIN);
            assertThat(connection.session().toString()).contains("AUTH PLAIN as " + USER).doesNotContain(PASSWORD);
        }
    }

    @Test
    void sessionKeyShouldTellPasswordsApartWithoutShowingThem() {
        start(clearServer());
        LmtpClient one = client(TlsLevel.NONE, withCredentials());
        LmtpClient same = client(TlsLevel.NONE, SaslPolicy.of(CredentialSource.fixed(Credentials.of(USER, PASSWORD))));
        LmtpClient other = client(TlsLevel.NONE, SaslPolicy.of(CredentialSource.fixed(Credentials.of(USER, "other"))));

        SessionKey key = one.sessionKey(destination());

        assertThat(key).isEqualTo(same.sessionKey(destination())).isNotEqualTo(other.sessionKey(destination()));
        assertThat(key.toString()).contains(USER).doesNotContain(PASSWORD);
        assertThat(new java.util.HashSet<>(List.of(key, same.sessionKey(destination())))).hasSize(1);
    }
}
