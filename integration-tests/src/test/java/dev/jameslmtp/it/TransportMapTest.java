package dev.jameslmtp.it;

import static dev.jameslmtp.it.Lmtp.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.jameslmtp.demo.WorkDirectory;
import dev.jameslmtp.testing.DovecotLmtpServer;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;

/**
 * Scenario 6: a transport map with two destinations. {@code example.test} goes to Dovecot over
 * TCP, {@code other.test} to a second store (a fake LMTP server that records what it receives),
 * and {@code *} to Dovecot's UNIX socket. One mail for both domains reaches each store with only
 * its own recipients.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TransportMapTest {

    private static final String OTHER_DOMAIN = "other.test";

    private DovecotLmtpServer dovecot;
    private FakeLmtpServer otherStore;
    private EmbeddedJames james;

    @BeforeAll
    void start() throws Exception {
        dovecot = DovecotLmtpServer.start(WorkDirectory.of(getClass(), "dovecot"));
        otherStore = FakeLmtpServer.start(LmtpHandler.defaults());
        Path transportMap = WorkDirectory.of(getClass(), "transport");
        Files.createDirectories(transportMap.getParent());
        Files.writeString(transportMap, String.join("\n",
                "# recipient domain    LMTP destination",
                DovecotLmtpServer.DOMAIN + "    " + dovecot.tcpDestination(),
                OTHER_DOMAIN + "      lmtp:inet:127.0.0.1:" + otherStore.port(),
                "*               " + dovecot.unixDestination(),
                ""), StandardCharsets.UTF_8);
        james = EmbeddedJames.builder(WorkDirectory.of(getClass(), "james"))
                .lmtpDelivery("HostIs=" + DovecotLmtpServer.DOMAIN + "," + OTHER_DOMAIN,
                        Lmtp.parameters("transportMap", transportMap.toString()))
                .start();
    }

    @AfterAll
    void stop() {
        if (james != null) {
            james.close();
        }
        if (otherStore != null) {
            otherStore.close();
        }
        if (dovecot != null) {
            dovecot.close();
        }
    }

    @Test
    void eachRecipientShouldReachTheStoreOfItsDomain() throws Exception {
        String dave = "dave@" + OTHER_DOMAIN;
        List<String> recipients = List.of(dovecot.address("alice"), dave, dovecot.address("bob"));
        TestMessage message = TestMessage.create(EmbeddedJames.SENDER, recipients, "transport-map");

        james.send(EmbeddedJames.SENDER, recipients, message.text());

        AWAIT.untilAsserted(() -> {
            assertThat(message.copiesIn(dovecot.messages("alice"))).hasSize(1);
            assertThat(message.copiesIn(dovecot.messages("bob"))).hasSize(1);
            assertThat(message.copiesIn(otherStoreBodies())).hasSize(1);
        });
        AWAIT.until(() -> james.queueSize(Lmtp.QUEUE) == 0);

        assertThat(otherStoreRcpts()).containsExactly("TO:<" + dave + ">");
        byte[] otherCopy = message.copiesIn(otherStoreBodies()).get(0);
        assertThat(TestMessage.bodyTextOf(FakeLmtpServer.unstuff(otherCopy))).isEqualTo(message.bodyText());
        for (String user : List.of("alice", "bob")) {
            assertThat(TestMessage.bodyTextOf(message.copiesIn(dovecot.messages(user)).get(0))).isEqualTo(message.bodyText());
        }
        assertThat(message.copiesIn(james.inbox(EmbeddedJames.SENDER))).as("DSNs").isEmpty();
    }

    private List<byte[]> otherStoreBodies() {
        List<byte[]> bodies = new ArrayList<>();
        for (int connection = 0; connection < otherStore.connectionCount(); connection++) {
            bodies.addAll(otherStore.bodies(connection));
        }
        return bodies;
    }

    private List<String> otherStoreRcpts() {
        List<String> rcpts = new ArrayList<>();
        for (int connection = 0; connection < otherStore.connectionCount(); connection++) {
            otherStore.commands(connection).stream()
                    .filter(command -> command.toUpperCase().startsWith("RCPT "))
                    .map(command -> command.substring("RCPT ".length()))
                    .forEach(rcpts::add);
        }
        return rcpts;
    }
}
