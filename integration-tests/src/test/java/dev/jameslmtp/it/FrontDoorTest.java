package dev.jameslmtp.it;

import static dev.jameslmtp.it.Lmtp.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.commons.net.smtp.SMTPClient;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.demo.WorkDirectory;
import dev.jameslmtp.testing.DovecotLmtpServer;

/**
 * The front door of issue 9: a James whose SMTP chain verifies recipients with the store
 * ({@code VerifyRecipientInStore} in {@code smtpserver.xml}, in place of ValidRcptHandler), for
 * {@value DovecotLmtpServer#DOMAIN}, a James domain whose users exist only in a real Dovecot;
 * {@value #DOWN_DOMAIN} is a James domain routed to a store that is not running. The hook may wait
 * 2 seconds for a probe ({@code verifyBudget}), so that RCPT usually gets the store's answer at
 * once; on a machine too busy for that, the client sends RCPT again after "verification in
 * progress", as an MTA would. A store that never answers: {@link FrontDoorHangingStoreTest}.
 */
class FrontDoorTest extends DovecotJamesTestBase {

    static final String DOWN_DOMAIN = "down.test";

    @Override
    protected Map<String, String> lmtpDelivery() {
        return Lmtp.toDestination(dovecot.tcpDestination());
    }

    @Override
    protected EmbeddedJames.Builder james(EmbeddedJames.Builder builder) throws IOException {
        Path conf = Files.createDirectories(WorkDirectory.of(getClass(), "front"));
        Path transport = Files.writeString(conf.resolve("lmtp-transport"), DovecotLmtpServer.DOMAIN + " " + dovecot.tcpDestination() + "\n"
                + DOWN_DOMAIN + " unix:" + conf.resolve("nobody-listens.sock") + "\n");
        return builder
                .domains(DovecotLmtpServer.DOMAIN, DOWN_DOMAIN)
                .smtpHandlers("""
                        <handler class="dev.jameslmtp.smtp.VerifyRecipientInStore">
                            <transportMap>%s</transportMap>
                            <connectTimeout>5 seconds</connectTimeout>
                            <replyTimeout>10 seconds</replyTimeout>
                            <verifyBudget>2 seconds</verifyBudget>
                        </handler>
                        """.formatted(transport));
    }

    @Test
    void storeOnlyUserShouldBeAcceptedAtRcptAndDelivered() throws Exception {
        String alice = dovecot.address("alice");
        TestMessage message = TestMessage.create(EmbeddedJames.SENDER, List.of(alice), "front-door-accepted");

        try (Smtp smtp = Smtp.open(james.smtpPort())) {
            assertThat(smtp.rcpt(alice)).startsWith("250");
            assertThat(smtp.data(message.text())).startsWith("250");
        }

        AWAIT.untilAsserted(() -> assertThat(message.copiesIn(dovecot.messages("alice"))).hasSize(1));
    }

    @Test
    void unknownUserShouldBeRefusedAtRcptWith550AndNoDsn() throws Exception {
        String bob = dovecot.address("bob");
        String nobody = dovecot.address("nobody");
        TestMessage message = TestMessage.create(EmbeddedJames.SENDER, List.of(bob, nobody), "front-door-refused");
        long bouncedBefore = james.counter(Lmtp.BOUNCED);

        try (Smtp smtp = Smtp.open(james.smtpPort())) {
            assertThat(smtp.rcpt(nobody)).startsWith("550 5.1.1 <" + nobody + ">: Recipient address rejected");
            assertThat(smtp.rcpt(bob)).startsWith("250");
            assertThat(smtp.data(message.text())).startsWith("250");
        }

        AWAIT.untilAsserted(() -> assertThat(message.copiesIn(dovecot.messages("bob"))).hasSize(1));
        AWAIT.until(() -> james.queueSize(Lmtp.QUEUE) == 0);
        assertThat(james.counter(Lmtp.BOUNCED) - bouncedBefore).as("recipients bounced by the mailet").isZero();
        assertThat(message.copiesIn(james.inbox(EmbeddedJames.SENDER))).as("DSNs").isEmpty();
    }

    @Test
    void recipientShouldBeDeferredWith451WhenTheStoreIsDown() throws Exception {
        try (Smtp smtp = Smtp.open(james.smtpPort())) {
            assertThat(smtp.rcpt("alice@" + DOWN_DOMAIN)).startsWith("451 4.4.1 <alice@" + DOWN_DOMAIN + ">");
        }
    }

    @Test
    void recipientOfAnotherDomainShouldBeLeftToJamesChain() throws Exception {
        try (Smtp smtp = Smtp.open(james.smtpPort())) {
            assertThat(smtp.rcpt("someone@" + EmbeddedJames.LOCAL_DOMAIN)).startsWith("250");
        }
    }

    /** One SMTP session from a loopback client, with the replies as the server wrote them. */
    private static final class Smtp implements AutoCloseable {
        private final SMTPClient client = new SMTPClient();

        static Smtp open(int port) throws IOException {
            Smtp smtp = new Smtp();
            smtp.client.setDefaultTimeout(30_000);
            smtp.client.connect("127.0.0.1", port);
            smtp.client.setSoTimeout(30_000);
            smtp.client.helo("client.test");
            smtp.client.setSender(EmbeddedJames.SENDER);
            return smtp;
        }

        /** RCPT as an MTA sends it: again after "address verification in progress", every 100 ms for at most 30 s. */
        String rcpt(String address) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            client.addRecipient(address);
            while (client.getReplyString().startsWith("450 4.1.1") && System.nanoTime() < deadline) {
                Thread.sleep(100);
                client.addRecipient(address);
            }
            return client.getReplyString().strip();
        }

        String data(String message) throws IOException {
            client.sendShortMessageData(message);
            return client.getReplyString().strip();
        }

        @Override
        public void close() throws IOException {
            try {
                client.logout();
            } finally {
                client.disconnect();
            }
        }
    }
}
