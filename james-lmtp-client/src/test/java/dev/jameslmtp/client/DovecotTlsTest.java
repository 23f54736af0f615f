package dev.jameslmtp.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.credentials.CredentialSource;
import dev.jameslmtp.client.credentials.Credentials;
import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.sasl.SaslPolicy;
import dev.jameslmtp.client.session.Timeouts;
import dev.jameslmtp.client.tls.TlsLevel;
import dev.jameslmtp.client.tls.TlsPolicy;
import dev.jameslmtp.client.wire.Transcript;
import dev.jameslmtp.testing.DovecotLmtpServer;
import dev.jameslmtp.testing.DovecotOptions;
import dev.jameslmtp.testing.TestCertificates;

/**
 * The TLS levels against a real Dovecot LMTP with {@code ssl = yes} and a certificate naming
 * 127.0.0.1 only, and against one with {@code ssl = no} (no STARTTLS offered). Dovecot LMTP has
 * no AUTH, which also makes it the real server for {@code requireAuth}.
 */
class DovecotTlsTest {

    private static final TestCertificates.Authority CA = TestCertificates.authority("dovecot test CA");
    private static DovecotLmtpServer tls;
    private static DovecotLmtpServer plain;

    private final List<String> transcript = new java.util.concurrent.CopyOnWriteArrayList<>(); // QUIT's reply may come on another thread

    @BeforeAll
    static void startDovecots() {
        tls = DovecotLmtpServer.start(Path.of("target", "dovecot-tls"), DovecotOptions.defaults().withTls(CA.issue("127.0.0.1")));
        plain = DovecotLmtpServer.start(Path.of("target", "dovecot-plain"));
    }

    @AfterAll
    static void stopDovecots() {
        if (tls != null) {
            tls.close();
        }
        if (plain != null) {
            plain.close();
        }
    }

    private DeliveryResult deliver(String destination, TlsLevel level, SaslPolicy sasl, String tag) {
        LmtpClient client = LmtpClient.builder().lhloName("client.test")
                .timeouts(Timeouts.defaults().withAll(Duration.ofSeconds(20)))
                .tls(TlsPolicy.builder(level).verifyingContext(CA.trustingContext()).build())
                .sasl(sasl)
                .transcript(Transcript.to(line -> {
                    System.out.println(line);
                    transcript.add(line);
                }))
                .build();
        return client.deliver(Destination.parse(destination), Envelope.of("sender@client.test", tls.address("alice")),
                Content.of(("Subject: " + tag + "\r\n\r\nhello Dovecot\r\n").getBytes(StandardCharsets.US_ASCII)));
    }

    private static long stored(DovecotLmtpServer dovecot, String tag) {
        return dovecot.messages("alice").stream().filter(m -> new String(m, StandardCharsets.ISO_8859_1).contains(tag)).count();
    }

    private static String tag() {
        return "tls-" + UUID.randomUUID();
    }

    @Test
    void encryptShouldDeliverOverStartTls() {
        String tag = tag();

        DeliveryResult result = deliver(tls.tcpDestination(), TlsLevel.ENCRYPT, SaslPolicy.NONE, tag);

        assertThat(result.allDelivered()).as(result.toString()).isTrue();
        assertThat(transcript).contains("C: STARTTLS").filteredOn(l -> l.equals("C: LHLO client.test")).hasSize(2);
        assertThat(stored(tls, tag)).isEqualTo(1);
    }

    @Test
    void verifyShouldDeliverWhenTheCertificateNamesTheAddress() {
        String tag = tag();

        DeliveryResult result = deliver("inet:[127.0.0.1]:" + tls.tcpPort(), TlsLevel.VERIFY, SaslPolicy.NONE, tag);

        assertThat(result.allDelivered()).as(result.toString()).isTrue();
        assertThat(stored(tls, tag)).isEqualTo(1);
    }

    @Test
    void verifyShouldDeferWhenTheCertificateIsForAnotherHost() {
        // the certificate names 127.0.0.1; the destination is called localhost
        String tag = tag();

        DeliveryResult result = deliver("inet:localhost:" + tls.tcpPort(), TlsLevel.VERIFY, SaslPolicy.NONE, tag);

        assertThat(result.verdicts()).allSatisfy(o -> {
            assertThat(o.fate()).isEqualTo(Fate.DEFERRED);
            assertThat(o.status().toString()).isEqualTo("4.7.5");
        });
        assertThat(transcript).noneMatch(l -> l.startsWith("C: MAIL"));
        assertThat(stored(tls, tag)).isZero();
    }

    @Test
    void encryptShouldDeferWithoutMailWhenTheServerOffersNoStartTls() {
        String tag = tag();

        DeliveryResult result = deliver(plain.tcpDestination(), TlsLevel.ENCRYPT, SaslPolicy.NONE, tag);

        assertThat(result.verdicts()).allSatisfy(o -> assertThat(o.status().toString()).isEqualTo("4.7.4"));
        assertThat(transcript).noneMatch(l -> l.startsWith("C: MAIL"));
        assertThat(stored(plain, tag)).isZero();
    }

    @Test
    void mayShouldUseStartTlsWhenOfferedAndGoInClearWhenNot() {
        String withTls = tag();
        String inClear = tag();

        assertThat(deliver(tls.tcpDestination(), TlsLevel.MAY, SaslPolicy.NONE, withTls).allDelivered()).isTrue();
        assertThat(transcript).contains("C: STARTTLS");
        transcript.clear();
        assertThat(deliver(plain.tcpDestination(), TlsLevel.MAY, SaslPolicy.NONE, inClear).allDelivered()).isTrue();
        assertThat(transcript).doesNotContain("C: STARTTLS");
        assertThat(stored(tls, withTls)).isEqualTo(1);
        assertThat(stored(plain, inClear)).isEqualTo(1);
    }

    @Test
    void requireAuthShouldDeferWith470AgainstAStoreWithoutAuth() {
        String tag = tag();
        SaslPolicy sasl = SaslPolicy.of(CredentialSource.fixed(Credentials.of("alice", "dovecot-nOt4LoGs"))).withRequireAuth(true);

        DeliveryResult result = deliver(tls.tcpDestination(), TlsLevel.ENCRYPT, sasl, tag);

        assertThat(result.verdicts()).allSatisfy(o -> assertThat(o.status().toString()).isEqualTo("4.7.0"));
        assertThat(transcript).noneMatch(l -> l.startsWith("C: MAIL"));
        assertThat(stored(tls, tag)).isZero();
    }
}
