package dev.jameslmtp.it;

import static dev.jameslmtp.it.Lmtp.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.jameslmtp.testing.DovecotLmtpServer;

/**
 * Scenario 4: the LMTP server is down when the mail arrives. James is pointed at a port where
 * nothing listens yet: the connection is refused, the recipients are deferred (and retried). Then
 * the port opens, in front of a real Dovecot (a byte relay, since Dovecot picks its own port), and
 * the next retry delivers each recipient once; no DSN.
 */
class LmtpServerDownTest extends DovecotJamesTestBase {

    private TcpRelay relay;

    @Override
    protected Map<String, String> lmtpDelivery() throws Exception {
        relay = closeAfterAll(TcpRelay.reserve(dovecot.tcpPort()));
        Map<String, String> parameters = Lmtp.toDestination("inet:127.0.0.1:" + relay.port());
        parameters.put("delayTime", "10*1 second");
        parameters.put("maxRetries", "10");
        return parameters;
    }

    @Test
    void recipientsShouldBeDeferredWhileTheServerIsDownAndDeliveredOnceAfterItStarts() throws Exception {
        List<String> recipients = List.of(dovecot.address("alice"), dovecot.address("bob"));
        TestMessage message = TestMessage.create(EmbeddedJames.SENDER, recipients, "server-down");
        long deferredBefore = james.counter(Lmtp.DEFERRED);

        james.send(EmbeddedJames.SENDER, recipients, message.text());

        // connection refused, twice: both recipients deferred on each attempt
        AWAIT.until(() -> james.counter(Lmtp.DEFERRED) - deferredBefore >= 4);
        assertThat(james.counter(Lmtp.BOUNCED)).isZero();
        assertThat(message.copiesIn(dovecot.messages("alice"))).isEmpty();
        // one item waits: the deferred copy (for an instant after a put-back, the item it came from is not yet acknowledged)
        AWAIT.untilAsserted(() -> assertThat(james.queueSize(Lmtp.QUEUE)).as("waiting in the queue").isEqualTo(1));

        relay.open();

        AWAIT.untilAsserted(() -> {
            assertThat(message.copiesIn(dovecot.messages("alice"))).hasSize(1);
            assertThat(message.copiesIn(dovecot.messages("bob"))).hasSize(1);
        });
        AWAIT.until(() -> james.queueSize(Lmtp.QUEUE) == 0);
        for (String user : List.of("alice", "bob")) {
            List<byte[]> copies = message.copiesIn(dovecot.messages(user));
            assertThat(copies).as("copies stored for %s", user).hasSize(1);
            assertThat(TestMessage.bodyTextOf(copies.get(0))).isEqualTo(message.bodyText());
        }
        assertThat(message.copiesIn(james.inbox(EmbeddedJames.SENDER))).as("DSNs").isEmpty();
    }
}
