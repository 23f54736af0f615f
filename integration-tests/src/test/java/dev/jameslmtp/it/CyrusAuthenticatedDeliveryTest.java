package dev.jameslmtp.it;

import static dev.jameslmtp.it.Lmtp.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import dev.jameslmtp.demo.WorkDirectory;
import dev.jameslmtp.testing.CyrusLmtpServer;
import dev.jameslmtp.testing.TestCertificates;

/**
 * Mail entering a real in-memory James over SMTP is delivered by LmtpDelivery through an
 * authenticated, encrypted LMTP session into a real Cyrus mailbox. The destination is Cyrus's
 * strict service (no plaintext mechanism before STARTTLS; AUTH required on TCP); the mailet has
 * {@code tlsSecurityLevel verify} with the test CA, {@code requireAuth}, and the password from a
 * password map file. Then the map is given a wrong password (deferred, not bounced), and edited
 * back while James runs: the next retry uses the new password and delivers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CyrusAuthenticatedDeliveryTest {

    /** Test passwords carry the marker the build's secret scan looks for in every report and log. */
    private static final String PASSWORD = "cyrus-it-nOt4LoGs:pw 1";
    private static final String WRONG = "wrong-it-nOt4LoGs";
    private static final String DOMAIN = "cyrus.test";

    private CyrusLmtpServer cyrus;
    private EmbeddedJames james;
    private Path passwordMap;

    @BeforeAll
    void start() throws Exception {
        TestCertificates.Authority ca = TestCertificates.authority("james-lmtp IT CA");
        cyrus = CyrusLmtpServer.start(WorkDirectory.of(getClass(), "cyrus"),
                CyrusLmtpServer.Options.of(PASSWORD, "alice", "bob").withTls(ca.issue("localhost", "127.0.0.1")));
        Path conf = WorkDirectory.of(getClass(), "lmtp-conf");
        Files.createDirectories(conf);
        ca.writeCertificatePem(conf.resolve("store-ca.pem"));
        passwordMap = conf.resolve("lmtp_sasl_passwd");
        writeMap(PASSWORD);

        Map<String, String> parameters = Lmtp.toDestination("inet:[127.0.0.1]:" + cyrus.strictPort());
        parameters.put("delayTime", "10*1 second");
        parameters.put("maxRetries", "10");
        parameters.put("saslPasswordMap", passwordMap.toString());
        parameters.put("requireAuth", "true");
        parameters.put("tlsSecurityLevel", "verify");
        parameters.put("tlsCAFile", conf.resolve("store-ca.pem").toString());
        parameters.put("transcript", "true");
        james = EmbeddedJames.builder(WorkDirectory.of(getClass(), "james"))
                .lmtpDelivery("HostIs=" + DOMAIN, parameters)
                .start();
    }

    @AfterAll
    void stop() {
        if (james != null) {
            james.close();
        }
        if (cyrus != null) {
            cyrus.close();
        }
    }

    /** Replaces the map by rename, as configuration managers do. */
    private void writeMap(String password) throws Exception {
        Path next = passwordMap.resolveSibling("lmtp_sasl_passwd.new");
        Files.writeString(next, "# Cyrus strict service\n[127.0.0.1]:" + cyrus.strictPort() + " " + CyrusLmtpServer.ADMIN + ":" + password + "\n");
        Files.setPosixFilePermissions(next, PosixFilePermissions.fromString("rw-------"));
        Files.move(next, passwordMap, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private List<byte[]> stored(String user) {
        return cyrus.messages(user).stream().map(m -> m.getBytes(StandardCharsets.ISO_8859_1)).toList();
    }

    @Test
    @Order(1)
    void mailShouldReachTheCyrusMailboxThroughAnAuthenticatedEncryptedSession() throws Exception {
        List<String> recipients = List.of("alice@" + DOMAIN, "bob@" + DOMAIN);
        TestMessage message = TestMessage.create(EmbeddedJames.SENDER, recipients, "cyrus-auth-tls");

        james.send(EmbeddedJames.SENDER, recipients, message.text());

        AWAIT.untilAsserted(() -> {
            assertThat(message.copiesIn(stored("alice"))).hasSize(1);
            assertThat(message.copiesIn(stored("bob"))).hasSize(1);
        });
        AWAIT.until(() -> james.queueSize(Lmtp.QUEUE) == 0);
        assertThat(TestMessage.bodyTextOf(message.copiesIn(stored("alice")).get(0))).isEqualTo(message.bodyText());
        assertThat(message.copiesIn(james.inbox(EmbeddedJames.SENDER))).as("DSNs").isEmpty();
    }

    @Test
    @Order(2)
    void wrongPasswordShouldDeferAndAnEditedMapShouldDeliverOnTheNextRetry() throws Exception {
        writeMap(WRONG);
        List<String> recipients = List.of("alice@" + DOMAIN);
        TestMessage message = TestMessage.create(EmbeddedJames.SENDER, recipients, "cyrus-map-edited");
        long deferredBefore = james.counter(Lmtp.DEFERRED);

        james.send(EmbeddedJames.SENDER, recipients, message.text());

        // refused by Cyrus: deferred, still queued, nothing stored, no bounce
        AWAIT.untilAsserted(() -> assertThat(james.counter(Lmtp.DEFERRED)).isGreaterThan(deferredBefore));
        AWAIT.untilAsserted(() -> assertThat(james.queueSize(Lmtp.QUEUE)).as("once the attempt's own item is acknowledged").isEqualTo(1));
        assertThat(message.copiesIn(stored("alice"))).isEmpty();
        assertThat(james.counter(Lmtp.BOUNCED)).isZero();

        // the operator fixes the map while James runs: the next retry authenticates
        writeMap(PASSWORD);
        AWAIT.untilAsserted(() -> assertThat(message.copiesIn(stored("alice"))).hasSize(1));
        AWAIT.until(() -> james.queueSize(Lmtp.QUEUE) == 0);
        assertThat(message.copiesIn(james.inbox(EmbeddedJames.SENDER))).as("DSNs").isEmpty();
    }
}
