package dev.jameslmtp.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.credentials.CredentialSource;
import dev.jameslmtp.client.credentials.Credentials;
import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.sasl.SaslPolicy;
import dev.jameslmtp.client.session.Timeouts;
import dev.jameslmtp.client.tls.TlsLevel;
import dev.jameslmtp.client.tls.TlsPolicy;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.Response;
import dev.jameslmtp.testing.Stderr;
import dev.jameslmtp.testing.TestCertificates;

/**
 * A store that echoes the client's AUTH payload in its refusal: the payload (the password, base64)
 * must reach neither the outcome (its text goes into the log and the DSN's Diagnostic-Code sent to
 * an outside sender) nor the log; the code and enhanced status stay.
 */
class AuthRefusalTextTest {

    private static final String USER = "lmtp-user";
    private static final String PASSWORD = "Echoed-nOt4LoGs";
    private static final String PAYLOAD = Base64.getEncoder()
            .encodeToString(("\0" + USER + "\0" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    private static final TestCertificates.Authority CA = TestCertificates.authority("store CA");
    private static final Envelope ENVELOPE = Envelope.of("sender@origin.test", "a@example.test", "b@example.test");

    private FakeLmtpServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void refusalTextEchoingThePayloadShouldReachNeitherTheOutcomeNorTheLog() {
        server = FakeLmtpServer.start(new LmtpHandler() {
            @Override
            public Response lhlo(String arg) {
                return LmtpHandler.lhloReply("store.test", List.of("ENHANCEDSTATUSCODES", "STARTTLS"));
            }

            @Override
            public Response lhloAfterTls(String arg) {
                return LmtpHandler.lhloReply("store.test", List.of("ENHANCEDSTATUSCODES", "AUTH PLAIN"));
            }

            @Override
            public Response starttls() {
                return Response.reply("220 2.0.0 Ready to start TLS");
            }

            @Override
            public Response auth(String args) {
                String payload = args.substring(args.indexOf(' ') + 1);
                return Response.reply("535 5.7.8 Authentication failed for " + payload + " (" + PASSWORD + ")");
            }
        }, CA.issue("127.0.0.1").serverContext());
        LmtpClient client = LmtpClient.builder().lhloName("client.test").timeouts(Timeouts.defaults().withAll(Duration.ofSeconds(5)))
                .tls(TlsPolicy.builder(TlsLevel.VERIFY).verifyingContext(CA.trustingContext()).build())
                .sasl(SaslPolicy.of(CredentialSource.fixed(Credentials.of(USER, PASSWORD))))
                .build();

        java.util.concurrent.atomic.AtomicReference<DeliveryResult> delivered = new java.util.concurrent.atomic.AtomicReference<>();

        String logged = Stderr.of(() -> delivered.set(client.deliver(Destination.parse("inet:[127.0.0.1]:" + server.port()), ENVELOPE,
                Content.of("Subject: t\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII)))));
        DeliveryResult result = delivered.get();

        assertThat(server.commands(0)).anyMatch(c -> c.equals("AUTH PLAIN " + PAYLOAD)); // the store did get it to echo
        assertThat(result.verdicts()).allSatisfy(o -> {
            assertThat(o.fate()).isEqualTo(Fate.DEFERRED);
            assertThat(o.code()).isEqualTo(535);
            assertThat(o.status().toString()).isEqualTo("4.7.8");
            assertThat(o.text()).contains("authentication with PLAIN failed").doesNotContain(PAYLOAD).doesNotContain(PASSWORD);
            assertThat(o.reply()).hasValueSatisfying(reply -> assertThat(String.join(" ", reply.wireLines()))
                    .doesNotContain(PAYLOAD).doesNotContain(PASSWORD));
            assertThat(o.toString()).doesNotContain(PAYLOAD).doesNotContain(PASSWORD);
        });
        assertThat(logged).contains("SASL authentication as " + USER + " with PLAIN failed");
        assertThat(logged).doesNotContain(PAYLOAD).doesNotContain(PASSWORD);
    }
}
