package dev.jameslmtp.it;

import static dev.jameslmtp.it.Lmtp.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.testing.DovecotLmtpServer;

/**
 * Scenarios 1 and 2: James receives mail over SMTP and LmtpDelivery hands it to a real Dovecot
 * over TCP. Valid recipients land in their Maildirs once, with the body byte for byte; an unknown
 * recipient comes back to the sender as a DSN carrying Dovecot's own {@code 550 5.1.1}.
 */
class DovecotTcpDeliveryTest extends DovecotJamesTestBase {

    private static final Logger LOGGER = LoggerFactory.getLogger(DovecotTcpDeliveryTest.class);

    @Override
    protected Map<String, String> lmtpDelivery() {
        return Lmtp.toDestination(dovecot.tcpDestination());
    }

    @Test
    void allValidRecipientsShouldLandOnceInEachMaildirWithTheBodyByteForByte() throws Exception {
        List<String> recipients = List.of(dovecot.address("alice"), dovecot.address("bob"));
        TestMessage message = TestMessage.create(EmbeddedJames.SENDER, recipients, "all-valid");
        long deliveredBefore = james.counter(Lmtp.DELIVERED);

        james.send(EmbeddedJames.SENDER, recipients, message.text());

        AWAIT.untilAsserted(() -> {
            assertThat(message.copiesIn(dovecot.messages("alice"))).hasSize(1);
            assertThat(message.copiesIn(dovecot.messages("bob"))).hasSize(1);
        });
        AWAIT.until(() -> james.queueSize(Lmtp.QUEUE) == 0);
        for (String user : List.of("alice", "bob")) {
            List<byte[]> copies = message.copiesIn(dovecot.messages(user));
            assertThat(copies).as("copies stored for %s", user).hasSize(1);
            assertThat(TestMessage.bodyTextOf(copies.get(0))).as("body stored for %s", user).isEqualTo(message.bodyText());
        }
        assertThat(message.copiesIn(james.inbox(EmbeddedJames.SENDER))).as("DSNs").isEmpty();
        assertThat(james.counter(Lmtp.DELIVERED) - deliveredBefore).as("delivered recipients counted").isEqualTo(2);
        assertThat(james.errorCount()).isZero();
    }

    @Test
    void unknownRecipientShouldBounceWithItsOwn550WhileTheOthersAreDeliveredOnce() throws Exception {
        String unknown = "nobody@" + DovecotLmtpServer.DOMAIN;
        List<String> recipients = List.of(dovecot.address("alice"), unknown, dovecot.address("bob"));
        TestMessage message = TestMessage.create(EmbeddedJames.SENDER, recipients, "one-unknown");

        james.send(EmbeddedJames.SENDER, recipients, message.text());

        AWAIT.untilAsserted(() -> {
            assertThat(message.copiesIn(dovecot.messages("alice"))).hasSize(1);
            assertThat(message.copiesIn(dovecot.messages("bob"))).hasSize(1);
            assertThat(message.copiesIn(james.inbox(EmbeddedJames.SENDER))).hasSize(1);
        });
        AWAIT.until(() -> james.queueSize(Lmtp.QUEUE) == 0);

        byte[] dsnBytes = message.copiesIn(james.inbox(EmbeddedJames.SENDER)).get(0);
        LOGGER.info("DSN received by {}:\n{}", EmbeddedJames.SENDER, new String(dsnBytes, StandardCharsets.UTF_8));
        Dsn dsn = Dsn.of(dsnBytes);
        assertThat(dsn.recipientFields(unknown)).isNotEmpty();
        assertThat(dsn.field(unknown, "Action")).hasValue("failed");
        assertThat(dsn.field(unknown, "Status")).hasValueSatisfying(status -> assertThat(status)
                .startsWith("550 5.1.1")
                .contains(unknown));
        assertThat(dsn.field(unknown, "Diagnostic-Code")).hasValueSatisfying(diagnostic -> assertThat(diagnostic)
                .startsWith("smtp; 550 5.1.1"));
        assertThat(dsn.recipientFields(dovecot.address("alice"))).as("alice is not in the DSN").isEmpty();
        assertThat(dsn.recipientFields(dovecot.address("bob"))).as("bob is not in the DSN").isEmpty();

        assertThat(message.copiesIn(dovecot.messages("alice"))).hasSize(1);
        assertThat(message.copiesIn(dovecot.messages("bob"))).hasSize(1);
        assertThat(james.errorCount()).isZero();
    }
}
