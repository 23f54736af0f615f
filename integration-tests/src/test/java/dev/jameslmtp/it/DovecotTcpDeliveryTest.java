package dev.jameslmtp.it;

import static dev.jameslmtp.it.Lmtp.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.testing.DeliveryStatusNotification;
import dev.jameslmtp.testing.DovecotLmtpServer;

/**
 * Scenarios 1 and 2: James receives mail over SMTP and LmtpDelivery hands it to a real Dovecot
 * over TCP. Valid recipients land in their Maildirs once, with the body byte for byte; unknown
 * recipients come back to the sender in one RFC 3464 DSN, each with its own bare status and
 * Dovecot's own {@code 550 5.1.1} reply.
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
    void aMixedMailShouldYieldOneRfc3464DsnListingEachUnknownRecipientWithItsOwnBareStatus() throws Exception {
        String nobody = "nobody@" + DovecotLmtpServer.DOMAIN;
        String nemo = "nemo@" + DovecotLmtpServer.DOMAIN;
        List<String> recipients = List.of(dovecot.address("alice"), nobody, nemo);
        TestMessage message = TestMessage.create(EmbeddedJames.SENDER, recipients, "two-unknown");
        String bounced = Lmtp.BOUNCED + "." + Lmtp.metricToken(dovecot.tcpDestination());
        long bouncedBefore = james.counter(bounced);

        james.send(EmbeddedJames.SENDER, recipients, message.text());

        AWAIT.untilAsserted(() -> {
            assertThat(message.copiesIn(dovecot.messages("alice"))).hasSize(1);
            assertThat(message.copiesIn(james.inbox(EmbeddedJames.SENDER))).hasSize(1);
        });
        AWAIT.until(() -> james.queueSize(Lmtp.QUEUE) == 0);

        List<byte[]> dsns = message.copiesIn(james.inbox(EmbeddedJames.SENDER));
        assertThat(dsns).as("one DSN for the mail").hasSize(1);
        LOGGER.info("DSN received by {}:\n{}", EmbeddedJames.SENDER, new String(dsns.get(0), StandardCharsets.UTF_8));
        DeliveryStatusNotification dsn = DeliveryStatusNotification.parse(dsns.get(0));
        assertThat(dsn.perMessage()).containsEntry("Reporting-MTA", "dns; james." + EmbeddedJames.LOCAL_DOMAIN).containsKey("Arrival-Date");
        assertThat(dsn.perRecipient()).hasSize(2);
        for (String unknown : List.of(nobody, nemo)) {
            assertThat(dsn.recipient(unknown)).as("fields of %s", unknown).hasValueSatisfying(fields -> assertThat(fields)
                    .containsEntry("Action", "failed")
                    .containsEntry("Status", "5.1.1")
                    .containsEntry("Remote-MTA", "dns; 127.0.0.1")
                    .containsKey("Last-Attempt-Date")
                    .hasEntrySatisfying("Diagnostic-Code", diagnostic -> assertThat(diagnostic)
                            .startsWith("smtp; 550 5.1.1")
                            .contains(unknown.substring(0, unknown.indexOf('@')))));
        }
        assertThat(dsn.recipient(dovecot.address("alice"))).as("alice is not in the DSN").isEmpty();
        assertThat(dsn.message().getSubject()).isEqualTo("Undelivered Mail Returned to Sender");
        assertThat(dsn.returned()).as("the returned message").isPresent();
        assertThat(james.counter(bounced) - bouncedBefore).as("bounced recipients counted for the destination").isEqualTo(2);

        assertThat(message.copiesIn(dovecot.messages("alice"))).hasSize(1);
        assertThat(james.errorCount()).isZero();
    }
}
