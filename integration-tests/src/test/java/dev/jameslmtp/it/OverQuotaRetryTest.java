package dev.jameslmtp.it;

import static dev.jameslmtp.it.Lmtp.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.testing.DeliveryStatusNotification;
import dev.jameslmtp.testing.DovecotLmtpServer;
import dev.jameslmtp.testing.DovecotOptions;

/**
 * Scenario 3: carol is over quota and Dovecot says so with a temporary {@code 452 4.2.2}
 * ({@code quota_full_tempfail = yes}). LmtpDelivery retries carol alone, every 2 seconds, at most
 * 3 times: raising her quota during the retries delivers her copy exactly once; never raising it
 * bounces her with the last temporary reply. Alice is delivered once either way.
 */
class OverQuotaRetryTest extends DovecotJamesTestBase {

    private static final Logger LOGGER = LoggerFactory.getLogger(OverQuotaRetryTest.class);

    @Override
    protected DovecotOptions dovecotOptions() {
        return DovecotOptions.defaults().quotaFullTempfail(true);
    }

    @Override
    protected Map<String, String> lmtpDelivery() {
        Map<String, String> parameters = Lmtp.toDestination(dovecot.tcpDestination());
        parameters.put("delayTime", "3*2 seconds");
        parameters.put("maxRetries", "3");
        return parameters;
    }

    @BeforeEach
    void carolIsOverQuota() {
        dovecot.setQuota("carol", DovecotLmtpServer.TINY_QUOTA);
    }

    @Test
    void overQuotaRecipientShouldBeDeliveredExactlyOnceWhenTheQuotaIsRaisedDuringTheRetries() throws Exception {
        List<String> recipients = List.of(dovecot.address("alice"), dovecot.address("carol"), dovecot.address("bob"));
        TestMessage message = TestMessage.create(EmbeddedJames.SENDER, recipients, "quota-raised");
        long deferredBefore = james.counter(Lmtp.DEFERRED);

        james.send(EmbeddedJames.SENDER, recipients, message.text());

        // first attempt: alice and bob stored, carol deferred with 452 4.2.2
        AWAIT.untilAsserted(() -> {
            assertThat(message.copiesIn(dovecot.messages("alice"))).hasSize(1);
            assertThat(message.copiesIn(dovecot.messages("bob"))).hasSize(1);
            assertThat(james.counter(Lmtp.DEFERRED)).isGreaterThan(deferredBefore);
        });
        assertThat(message.copiesIn(dovecot.messages("carol"))).isEmpty();

        // during the retries: the quota is lifted, the next retry delivers carol
        dovecot.setQuota("carol", "*:storage=10M");
        AWAIT.untilAsserted(() -> assertThat(message.copiesIn(dovecot.messages("carol"))).hasSize(1));
        AWAIT.until(() -> james.queueSize(Lmtp.QUEUE) == 0);

        for (String user : List.of("alice", "bob", "carol")) {
            List<byte[]> copies = message.copiesIn(dovecot.messages(user));
            assertThat(copies).as("copies stored for %s", user).hasSize(1);
            assertThat(TestMessage.bodyTextOf(copies.get(0))).as("body stored for %s", user).isEqualTo(message.bodyText());
        }
        assertThat(message.copiesIn(james.inbox(EmbeddedJames.SENDER))).as("DSNs").isEmpty();
    }

    @Test
    void overQuotaRecipientShouldBounceWithTheLastTemporaryReplyAfterMaxRetries() throws Exception {
        String carol = dovecot.address("carol");
        List<String> recipients = List.of(dovecot.address("alice"), carol);
        TestMessage message = TestMessage.create(EmbeddedJames.SENDER, recipients, "quota-never-raised");
        long deferredBefore = james.counter(Lmtp.DEFERRED);

        james.send(EmbeddedJames.SENDER, recipients, message.text());

        AWAIT.untilAsserted(() -> assertThat(message.copiesIn(james.inbox(EmbeddedJames.SENDER))).hasSize(1));
        AWAIT.until(() -> james.queueSize(Lmtp.QUEUE) == 0);

        byte[] dsnBytes = message.copiesIn(james.inbox(EmbeddedJames.SENDER)).get(0);
        LOGGER.info("DSN after {} retries:\n{}", 3, new String(dsnBytes, StandardCharsets.UTF_8));
        DeliveryStatusNotification dsn = DeliveryStatusNotification.parse(dsnBytes);
        assertThat(dsn.perRecipient()).singleElement().satisfies(fields -> assertThat(fields)
                .containsEntry("Final-Recipient", "rfc822; " + carol)
                .containsEntry("Action", "failed")
                .containsEntry("Status", "4.2.2")
                .hasEntrySatisfying("Diagnostic-Code", diagnostic -> assertThat(diagnostic).startsWith("smtp; 452 4.2.2")));
        // the first attempt and three retries, each deferring (the last one turns into the bounce)
        assertThat(james.counter(Lmtp.DEFERRED) - deferredBefore).isGreaterThanOrEqualTo(3);

        assertThat(message.copiesIn(dovecot.messages("alice"))).hasSize(1);
        assertThat(message.copiesIn(dovecot.messages("carol"))).isEmpty();
    }
}
