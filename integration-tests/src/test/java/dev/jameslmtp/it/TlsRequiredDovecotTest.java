package dev.jameslmtp.it;

import static dev.jameslmtp.it.Lmtp.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * LmtpDelivery with {@code tlsSecurityLevel encrypt} in front of a Dovecot that offers no STARTTLS
 * ({@code ssl = no}, as if the offer were stripped on the way): the recipients are deferred with
 * 4.7.4, the mail stays queued and not a byte of it reaches the store.
 */
class TlsRequiredDovecotTest extends DovecotJamesTestBase {

    @Override
    protected Map<String, String> lmtpDelivery() {
        Map<String, String> parameters = Lmtp.toDestination(dovecot.tcpDestination());
        parameters.put("tlsSecurityLevel", "encrypt");
        parameters.put("delayTime", "10*1 hour");
        parameters.put("maxRetries", "10");
        parameters.put("transcript", "true");
        return parameters;
    }

    @Test
    void mailShouldBeDeferredAndNeverSentInClearWhenStartTlsIsMissing() throws Exception {
        List<String> recipients = List.of(dovecot.address("alice"));
        TestMessage message = TestMessage.create(EmbeddedJames.SENDER, recipients, "tls-required");
        long deferredBefore = james.counter(Lmtp.DEFERRED);

        james.send(EmbeddedJames.SENDER, recipients, message.text());

        AWAIT.untilAsserted(() -> assertThat(james.counter(Lmtp.DEFERRED)).isGreaterThan(deferredBefore));
        // the deferred copy is queued before the attempt's own item is acknowledged: one item once that is done
        AWAIT.untilAsserted(() -> assertThat(james.queueSize(Lmtp.QUEUE)).isEqualTo(1));
        assertThat(message.copiesIn(dovecot.messages("alice"))).isEmpty();
        assertThat(james.counter(Lmtp.BOUNCED)).isZero();
        assertThat(message.copiesIn(james.inbox(EmbeddedJames.SENDER))).as("DSNs").isEmpty();
    }
}
