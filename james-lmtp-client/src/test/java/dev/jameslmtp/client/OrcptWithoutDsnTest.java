package dev.jameslmtp.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.credentials.CredentialSource;
import dev.jameslmtp.client.credentials.Credentials;
import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Verdict;
import dev.jameslmtp.client.sasl.Mechanism;
import dev.jameslmtp.client.sasl.SaslPolicy;
import dev.jameslmtp.client.sasl.SecurityOptions;
import dev.jameslmtp.client.session.Timeouts;
import dev.jameslmtp.testing.CyrusLmtpServer;
import dev.jameslmtp.testing.DovecotLmtpServer;
import dev.jameslmtp.testing.DovecotOptions;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.Response;

/**
 * ORCPT to stores that do not offer DSN ({@link OrcptPolicy}): by default only to Dovecot, which
 * takes it (real Dovecot: {@code Delivered-To:} shows it with {@code lmtp_hdr_delivery_address =
 * original}), never to Cyrus, which refuses any RCPT parameter with 501 (real Cyrus).
 */
class OrcptWithoutDsnTest {

    private static final Recipient BOB = new Recipient("bob@example.test", Optional.of("SUCCESS"), Optional.of("rfc822;Bob+2BAlias@orig.test"));
    private static final Content CONTENT = Content.of("Subject: orcpt\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII));

    private static FakeLmtpServer greetingWith(String greeting) {
        return FakeLmtpServer.start(new LmtpHandler() {
            @Override
            public Response greeting() {
                return Response.reply(greeting);
            }
        });
    }

    private static String rcptSent(String greeting, OrcptPolicy policy) {
        try (FakeLmtpServer server = greetingWith(greeting)) {
            LmtpClient client = LmtpClient.builder().lhloName("client.test").orcpt(policy).build();
            DeliveryResult result = client.deliver(Destination.parse("inet:[127.0.0.1]:" + server.port()),
                    Envelope.of("a@x.test", List.of(BOB)), CONTENT);
            assertThat(result.verdicts()).allMatch(Verdict::delivered);
            return server.commands(0).stream().filter(c -> c.startsWith("RCPT")).findFirst().orElseThrow();
        }
    }

    @Test
    void autoShouldSendOrcptWithoutNotifyToAStoreGreetingAsDovecotOnly() {
        assertThat(rcptSent("220 store.test Dovecot (Debian) ready.", OrcptPolicy.AUTO))
                .isEqualTo("RCPT TO:<bob@example.test> ORCPT=rfc822;Bob+2BAlias@orig.test");
        assertThat(rcptSent("220 store.test LMTP ready", OrcptPolicy.AUTO)).isEqualTo("RCPT TO:<bob@example.test>");
    }

    @Test
    void alwaysAndNeverShouldOverrideTheGreeting() {
        assertThat(rcptSent("220 store.test LMTP ready", OrcptPolicy.ALWAYS))
                .isEqualTo("RCPT TO:<bob@example.test> ORCPT=rfc822;Bob+2BAlias@orig.test");
        assertThat(rcptSent("220 store.test Dovecot ready.", OrcptPolicy.NEVER)).isEqualTo("RCPT TO:<bob@example.test>");
    }

    @Test
    void aRealDovecotShouldTakeOrcptAndShowItInDeliveredTo() {
        try (DovecotLmtpServer dovecot = DovecotLmtpServer.start(Path.of("target", "dovecot-orcpt"),
                DovecotOptions.defaults().originalDeliveryAddress(true))) {
            LmtpClient client = LmtpClient.builder().lhloName("client.test").timeouts(Timeouts.defaults().withAll(Duration.ofSeconds(20)))
                    .build();
            Recipient alice = new Recipient(dovecot.address("alice"), Optional.of("SUCCESS"), Optional.of("rfc822;info@orig.test"));

            DeliveryResult result = client.deliver(Destination.parse(dovecot.tcpDestination()), Envelope.of("a@x.test", List.of(alice)),
                    CONTENT);

            assertThat(result.verdicts()).singleElement().satisfies(outcome -> assertThat(outcome.delivered()).as(outcome.text()).isTrue());
            assertThat(new String(dovecot.messages("alice").get(0), StandardCharsets.ISO_8859_1)).contains("Delivered-To: info@orig.test");
        }
    }

    @Test
    void aRealCyrusShouldGetNoOrcptByDefaultAndDeliver() {
        try (CyrusLmtpServer cyrus = CyrusLmtpServer.start(Path.of("target/cyrus-orcpt"), CyrusLmtpServer.Options.of("pw", "alice"))) {
            SaslPolicy sasl = SaslPolicy.of(CredentialSource.fixed(Credentials.of(CyrusLmtpServer.ADMIN, "pw")))
                    .withMechanisms(EnumSet.of(Mechanism.SCRAM_SHA_256))
                    .withOptions(SecurityOptions.NO_ANONYMOUS, SecurityOptions.DEFAULT, SecurityOptions.NO_ANONYMOUS);
            Recipient alice = new Recipient("alice", Optional.of("SUCCESS"), Optional.of("rfc822;info@orig.test"));
            LmtpClient client = LmtpClient.builder().lhloName("client.test").timeouts(Timeouts.defaults().withAll(Duration.ofSeconds(20)))
                    .sasl(sasl).build();

            DeliveryResult byDefault = client.deliver(Destination.parse("inet:[127.0.0.1]:" + cyrus.port()),
                    Envelope.of("a@x.test", List.of(alice)), CONTENT);
            DeliveryResult always = LmtpClient.builder().lhloName("client.test").sasl(sasl).orcpt(OrcptPolicy.ALWAYS).build()
                    .deliver(Destination.parse("inet:[127.0.0.1]:" + cyrus.port()), Envelope.of("a@x.test", List.of(alice)), CONTENT);

            assertThat(byDefault.verdicts()).singleElement().satisfies(outcome -> assertThat(outcome.delivered()).as(outcome.text()).isTrue());
            assertThat(always.verdicts()).singleElement().satisfies(outcome -> assertThat(outcome.toString()).contains("501 5.5.4"));
        }
    }
}
