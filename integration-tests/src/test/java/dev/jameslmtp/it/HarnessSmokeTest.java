package dev.jameslmtp.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.jameslmtp.demo.WorkDirectory;

/**
 * The harness on its own, with stock James mailets standing in for LmtpDelivery: mail enters over
 * SMTP, recipients of the LMTP domain reach the delivery mailets, the sender's own domain is
 * delivered locally, and a recipient sent to {@code bounces} with Bouncer's attributes comes back
 * to the sender as a DSN from DSNBounce. If this fails, the LmtpDelivery scenarios cannot pass.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HarnessSmokeTest {

    private static final String STAND_IN_REPOSITORY = "memory://var/mail/lmtp-stand-in/";
    private static final String UNKNOWN = "nobody@example.test";
    private static final ConditionFactory AWAIT = Awaitility.await()
            .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100));

    private EmbeddedJames james;

    @BeforeAll
    void startJames() throws Exception {
        james = EmbeddedJames.builder(WorkDirectory.of(getClass(), "james"))
                .deliveryMailet("RecipientIs=" + UNKNOWN, "SetMailAttribute",
                        Map.of("delivery-error", "550 5.1.1 <" + UNKNOWN + "> User doesn't exist"))
                .deliveryMailet("RecipientIs=" + UNKNOWN, "ToProcessor", Map.of("processor", "bounces"))
                .deliveryMailet("HostIs=example.test", "ToRepository", Map.of("repositoryPath", STAND_IN_REPOSITORY))
                .start();
    }

    @AfterAll
    void stopJames() {
        if (james != null) {
            james.close();
        }
    }

    @Test
    void mailShouldReachTheDeliveryMailetsAndTheLocalMailbox() throws Exception {
        List<String> recipients = List.of("alice@example.test", EmbeddedJames.SENDER);
        TestMessage message = TestMessage.create(EmbeddedJames.SENDER, recipients, "smoke");

        james.send(EmbeddedJames.SENDER, recipients, message.text());

        AWAIT.untilAsserted(() -> assertThat(james.repositoryCount(STAND_IN_REPOSITORY)).isEqualTo(1));
        AWAIT.untilAsserted(() -> assertThat(message.copiesIn(james.inbox(EmbeddedJames.SENDER))).hasSize(1));
        byte[] local = message.copiesIn(james.inbox(EmbeddedJames.SENDER)).get(0);
        assertThat(TestMessage.bodyTextOf(local)).isEqualTo(message.bodyText());
    }

    @Test
    void bouncedRecipientShouldComeBackToTheSenderAsADsn() throws Exception {
        List<String> recipients = List.of(UNKNOWN);
        TestMessage message = TestMessage.create(EmbeddedJames.SENDER, recipients, "smoke-dsn");

        james.send(EmbeddedJames.SENDER, recipients, message.text());

        AWAIT.untilAsserted(() -> assertThat(message.copiesIn(james.inbox(EmbeddedJames.SENDER))).hasSize(1));
        String dsn = new String(message.copiesIn(james.inbox(EmbeddedJames.SENDER)).get(0), StandardCharsets.UTF_8);
        assertThat(dsn)
                .contains("Final-Recipient: rfc822; " + UNKNOWN)
                .contains("Status: 550 5.1.1");
        assertThat(james.errorCount()).isZero();
    }
}
