package dev.jameslmtp.cli;

import static dev.jameslmtp.cli.CommandRun.command;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.Response;

/** {@code lmtp} takes a destination list as the mailet does: failover, the answering server reported, errors naming the value. */
class DestinationListTest {

    @TempDir
    Path directory;

    private FakeLmtpServer down;
    private FakeLmtpServer store;

    @AfterEach
    void tearDown() {
        if (down != null) {
            down.close();
        }
        if (store != null) {
            store.close();
        }
    }

    /** A loopback port nobody listens on (taken, then released). */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void aListShouldFailOverToTheNextServerAndNameTheServerThatAnsweredEachRecipient() throws Exception {
        int refusing = closedPort();
        store = FakeLmtpServer.start(LmtpHandler.defaults());
        String list = "inet:127.0.0.1:" + refusing + ", inet:127.0.0.1:" + store.port();

        CommandRun.Result result = command().run("-d", list, "-f", "a@x.test", "bob@x.test", "carol@x.test");

        assertThat(result.status()).as(result.toString()).isEqualTo(ExitStatus.OK);
        assertThat(result.outLines()).hasSize(2).allSatisfy(line -> assertThat(line)
                .matches("\\S+@x\\.test +delivered +250 +2\\.0\\.0 +inet:127\\.0\\.0\\.1:" + store.port() + " +.*"));
        assertThat(store.commands(0)).contains("RCPT TO:<bob@x.test>", "RCPT TO:<carol@x.test>");
    }

    @Test
    void aServerThatGreetsNegativelyShouldPassItsRecipientsOnFromTheEnvironmentAndTheConfigFileToo() throws Exception {
        down = FakeLmtpServer.start(new LmtpHandler() {
            @Override
            public Response greeting() {
                return Response.replyThenDrop("421 4.3.2 down for maintenance");
            }
        });
        store = FakeLmtpServer.start(LmtpHandler.defaults());
        String list = "inet:127.0.0.1:" + down.port() + " inet:127.0.0.1:" + store.port();
        Path config = Files.writeString(directory.resolve("lmtp.conf"), "destination = " + list + "\n");

        CommandRun.Result fromEnv = command().env("LMTP_DESTINATION", list).run("-f", "a@x.test", "bob@x.test");
        CommandRun.Result fromFile = command().run("-C", config.toString(), "-f", "a@x.test", "bob@x.test");

        for (CommandRun.Result result : java.util.List.of(fromEnv, fromFile)) {
            assertThat(result.status()).as(result.toString()).isEqualTo(ExitStatus.OK);
            assertThat(result.out()).contains("inet:127.0.0.1:" + store.port());
        }
        assertThat(store.connectionCount()).isEqualTo(2);
    }

    @Test
    void aMalformedListShouldBeAUsageErrorNamingTheWholeValueAndTheAcceptedForms() throws Exception {
        Path config = Files.writeString(directory.resolve("lmtp.conf"), "destination = inet:127.0.0.1:2401, smtp:relay\n");

        CommandRun.Result option = command().run("-d", "inet:127.0.0.1:2401, inet:127.0.0.1:25", "bob@x.test");
        CommandRun.Result file = command().run("-C", config.toString(), "bob@x.test");

        assertThat(option.status()).isEqualTo(ExitStatus.USAGE);
        assertThat(option.err()).startsWith("lmtp: -d: 'inet:127.0.0.1:2401, inet:127.0.0.1:25': malformed LMTP destination"
                + " 'inet:127.0.0.1:25': port 25").contains("separated by commas, tried in order");
        assertThat(file.status()).isEqualTo(ExitStatus.USAGE);
        assertThat(file.err()).contains("'inet:127.0.0.1:2401, smtp:relay': ").contains("separated by commas, tried in order");
    }
}
