package dev.jameslmtp.it;

import static dev.jameslmtp.it.Lmtp.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.demo.WorkDirectory;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;

/**
 * Two stores served the ordinary way: two LmtpDelivery mailets in one real James, one per domain,
 * each with its own destination and settings. Mail reaches only the store chosen by the mailet
 * that accepted it; and two mailets on one queue make James refuse to start.
 */
class TwoStoresTest {

    private final FakeLmtpServer storeA = FakeLmtpServer.start(LmtpHandler.defaults());
    private final FakeLmtpServer storeB = FakeLmtpServer.start(LmtpHandler.defaults());
    private EmbeddedJames james;

    @AfterEach
    void stop() {
        if (james != null) {
            james.close();
        }
        storeA.close();
        storeB.close();
    }

    private static Map<String, String> store(FakeLmtpServer server, String queue, String lhloName, String recipientLimit) {
        Map<String, String> parameters = Lmtp.toDestination("inet:127.0.0.1:" + server.port());
        parameters.put("outgoing", queue);
        parameters.put("lhloName", lhloName);
        parameters.put("recipientLimit", recipientLimit);
        return parameters;
    }

    @Test
    void eachStoreShouldGetOnlyTheMailOfItsOwnMailetWithThatMailetsSettings() throws Exception {
        james = EmbeddedJames.builder(WorkDirectory.of(getClass(), "two-stores"))
                .lmtpDelivery("HostIs=a.test", store(storeA, "lmtp-a", "for-a.test", "0"))
                .lmtpDelivery("HostIs=b.test", store(storeB, "lmtp-b", "for-b.test", "1"))
                .start();

        for (int i = 0; i < 20; i++) {
            List<String> recipients = List.of("a" + i + "@a.test", "b" + i + "@b.test", "bb" + i + "@b.test");
            james.send(EmbeddedJames.SENDER, recipients, TestMessage.create(EmbeddedJames.SENDER, recipients, "two-stores").text());
        }

        AWAIT.until(() -> james.counter(Lmtp.DELIVERED) == 60);
        assertThat(commands(storeA, "RCPT")).hasSize(20).allMatch(rcpt -> rcpt.endsWith("@a.test>"));
        assertThat(commands(storeB, "RCPT")).hasSize(40).allMatch(rcpt -> rcpt.endsWith("@b.test>"));
        assertThat(commands(storeA, "LHLO")).allMatch("LHLO for-a.test"::equals);
        assertThat(commands(storeB, "LHLO")).allMatch("LHLO for-b.test"::equals);
        assertThat(commands(storeB, "DATA")).as("recipientLimit 1: one transaction per recipient").hasSize(40);
    }

    @Test
    void jamesShouldRefuseToStartWhenTwoMailetsShareAQueue() {
        EmbeddedJames.Builder builder = EmbeddedJames.builder(WorkDirectory.of(getClass(), "one-queue"))
                .lmtpDelivery("HostIs=a.test", store(storeA, "lmtp-shared", "for-a.test", "0"))
                .lmtpDelivery("HostIs=b.test", store(storeB, "lmtp-shared", "for-b.test", "0"));

        assertThatThrownBy(builder::start).hasStackTraceContaining("outgoing: the queue 'lmtp-shared' is already used");
    }

    private static List<String> commands(FakeLmtpServer server, String verb) {
        List<String> commands = new ArrayList<>();
        for (int connection = 0; connection < server.connectionCount(); connection++) {
            server.commands(connection).stream().filter(command -> command.startsWith(verb)).forEach(commands::add);
        }
        return commands;
    }
}
