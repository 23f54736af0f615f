package dev.jameslmtp.it;

import static dev.jameslmtp.it.Lmtp.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.jameslmtp.testing.DeliveryStatusNotification;
import dev.jameslmtp.testing.DovecotLmtpServer;

/**
 * bounceMode=james, chosen by setting {@code bounceProcessor}: the stock James path keeps
 * working. The unknown recipient reaches the {@code bounces} processor with James's
 * {@code delivery-error} attributes and James's own {@code DSNBounce} writes the sender a DSN (whose
 * {@code Status:} field is James's verbatim copy of {@code delivery-error}, not a bare code: that
 * is DSNBounce's doing, and why bounceMode=rfc3464 exists).
 */
class JamesBounceModeTest extends DovecotJamesTestBase {

    @Override
    protected Map<String, String> lmtpDelivery() {
        Map<String, String> parameters = Lmtp.toDestination(dovecot.tcpDestination());
        parameters.put("bounceProcessor", "bounces");
        return parameters;
    }

    @Test
    void bounceProcessorShouldGetTheFailedRecipientForDsnBounce() throws Exception {
        String unknown = "nobody@" + DovecotLmtpServer.DOMAIN;
        List<String> recipients = List.of(dovecot.address("alice"), unknown);
        TestMessage message = TestMessage.create(EmbeddedJames.SENDER, recipients, "james-bounce-mode");

        james.send(EmbeddedJames.SENDER, recipients, message.text());

        AWAIT.untilAsserted(() -> {
            assertThat(message.copiesIn(dovecot.messages("alice"))).hasSize(1);
            assertThat(message.copiesIn(james.inbox(EmbeddedJames.SENDER))).hasSize(1);
        });
        AWAIT.until(() -> james.queueSize(Lmtp.QUEUE) == 0);

        DeliveryStatusNotification dsn = DeliveryStatusNotification.parse(message.copiesIn(james.inbox(EmbeddedJames.SENDER)).get(0));
        assertThat(dsn.recipient(unknown)).hasValueSatisfying(fields -> assertThat(fields)
                .containsEntry("Action", "failed")
                .hasEntrySatisfying("Diagnostic-Code", diagnostic -> assertThat(diagnostic).startsWith("smtp; 550 5.1.1")));
        assertThat(dsn.recipient(dovecot.address("alice"))).isEmpty();
        assertThat(james.errorCount()).isZero();
    }
}
