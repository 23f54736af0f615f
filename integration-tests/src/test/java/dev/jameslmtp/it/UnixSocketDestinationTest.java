package dev.jameslmtp.it;

import static dev.jameslmtp.it.Lmtp.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.jameslmtp.testing.DeliveryStatusNotification;
import dev.jameslmtp.testing.DovecotLmtpServer;

/** Scenario 5: the destination is Dovecot's LMTP UNIX-domain socket ({@code unix:/abs/path}). */
class UnixSocketDestinationTest extends DovecotJamesTestBase {

    @Override
    protected Map<String, String> lmtpDelivery() {
        return Lmtp.toDestination(dovecot.unixDestination());
    }

    @Test
    void mailShouldBeDeliveredOverTheUnixSocketOncePerRecipient() throws Exception {
        String unknown = "nobody@" + DovecotLmtpServer.DOMAIN;
        List<String> recipients = List.of(dovecot.address("alice"), dovecot.address("bob"), unknown);
        TestMessage message = TestMessage.create(EmbeddedJames.SENDER, recipients, "unix-socket");

        james.send(EmbeddedJames.SENDER, recipients, message.text());

        AWAIT.untilAsserted(() -> {
            assertThat(message.copiesIn(dovecot.messages("alice"))).hasSize(1);
            assertThat(message.copiesIn(dovecot.messages("bob"))).hasSize(1);
            assertThat(message.copiesIn(james.inbox(EmbeddedJames.SENDER))).hasSize(1);
        });
        AWAIT.until(() -> james.queueSize(Lmtp.QUEUE) == 0);
        for (String user : List.of("alice", "bob")) {
            List<byte[]> copies = message.copiesIn(dovecot.messages(user));
            assertThat(copies).as("copies stored for %s", user).hasSize(1);
            assertThat(TestMessage.bodyTextOf(copies.get(0))).isEqualTo(message.bodyText());
        }
        DeliveryStatusNotification dsn = DeliveryStatusNotification.parse(message.copiesIn(james.inbox(EmbeddedJames.SENDER)).get(0));
        assertThat(dsn.perRecipient()).singleElement().satisfies(fields -> assertThat(fields)
                .containsEntry("Final-Recipient", "rfc822; " + unknown)
                .containsEntry("Status", "5.1.1")
                .containsEntry("Remote-MTA", "x-unix; " + dovecot.unixDestination().substring("unix:".length())));
    }
}
