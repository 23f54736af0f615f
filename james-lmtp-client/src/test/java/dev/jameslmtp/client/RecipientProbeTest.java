package dev.jameslmtp.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.outcome.Verdict;
import dev.jameslmtp.client.session.Stage;
import dev.jameslmtp.client.session.Timeouts;
import dev.jameslmtp.client.wire.EnhancedStatus;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.Response;

/** A recipient probe against a scripted server: the exact commands, and what each answer means. */
class RecipientProbeTest {

    private static final Timeouts QUICK = Timeouts.defaults().withAll(Duration.ofSeconds(5));

    private final RecipientProbe probe = new RecipientProbe(LmtpClient.builder().lhloName("client.test").timeouts(QUICK).build());
    private FakeLmtpServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private Verdict verify(LmtpHandler handler, String address) {
        server = FakeLmtpServer.start(handler);
        return probe.verify(Destination.parse("inet:[127.0.0.1]:" + server.port()), address);
    }

    @Test
    void verifyShouldSendNullSenderRcptRsetQuitAndAcceptWhenRcptIsAnswered250() throws InterruptedException {
        Verdict verdict = verify(LmtpHandler.defaults(), "alice@example.test");

        assertThat(verdict.fate()).isEqualTo(Fate.DELIVERED);
        assertThat(verdict.reply().orElseThrow().code()).isEqualTo(250);
        assertThat(server.awaitClosed(0, Duration.ofSeconds(5))).isTrue();
        assertThat(server.commands(0)).containsExactly("LHLO client.test", "MAIL FROM:<>", "RCPT TO:<alice@example.test>", "RSET", "QUIT");
    }

    @Test
    void verifyShouldBePermanentWithTheStoreStatusWhenRcptIsAnswered550() {
        Verdict verdict = verify(new LmtpHandler() {
            @Override
            public Response rcpt(String args, int index) {
                return Response.reply("550 5.1.1 <bob@example.test> User doesn't exist: bob@example.test");
            }
        }, "bob@example.test");

        assertThat(verdict.fate()).isEqualTo(Fate.BOUNCED);
        assertThat(verdict.reply().orElseThrow().code()).isEqualTo(550);
        assertThat(verdict.status()).hasToString("5.1.1");
        assertThat(verdict.text()).contains("User doesn't exist");
    }

    @Test
    void verifyShouldBeTemporaryWhenRcptIsAnswered4xx() {
        Verdict verdict = verify(new LmtpHandler() {
            @Override
            public Response rcpt(String args, int index) {
                return Response.reply("451 4.3.0 Temporary internal error");
            }
        }, "carol@example.test");

        assertThat(verdict.fate()).isEqualTo(Fate.DEFERRED);
        assertThat(verdict.status()).hasToString("4.3.0");
    }

    @Test
    void verifyShouldBeTemporaryNotPermanentWhenTheNullSenderIsRefused() {
        Verdict verdict = verify(new LmtpHandler() {
            @Override
            public Response mail(String args) {
                return Response.reply("553 5.1.7 Null sender not allowed");
            }
        }, "alice@example.test");

        assertThat(verdict.fate()).isEqualTo(Fate.DEFERRED);
        assertThat(verdict.status()).hasToString("4.1.7");
        assertThat(server.commands(0)).doesNotContain("RCPT TO:<alice@example.test>");
    }

    @Test
    void verifyShouldBeTemporaryWhenTheGreetingIsPermanentlyNegative() {
        Verdict verdict = verify(new LmtpHandler() {
            @Override
            public Response greeting() {
                return Response.reply("554 5.3.2 Not accepting connections");
            }
        }, "alice@example.test");

        assertThat(verdict.fate()).isEqualTo(Fate.DEFERRED);
    }

    @Test
    void verifyShouldBeTemporaryWhenTheConnectionDropsAtRcpt() {
        Verdict verdict = verify(new LmtpHandler() {
            @Override
            public Response rcpt(String args, int index) {
                return Response.drop();
            }
        }, "alice@example.test");

        assertThat(verdict.fate()).isEqualTo(Fate.DEFERRED);
        assertThat(verdict.stage()).isEqualTo(Stage.RCPT);
    }

    @Test
    void verifyShouldBeTemporaryWhenNothingListens() throws IOException {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }

        Verdict verdict = probe.verify(Destination.parse("inet:[127.0.0.1]:" + port), "alice@example.test");

        assertThat(verdict.fate()).isEqualTo(Fate.DEFERRED);
        assertThat(verdict.status()).isEqualTo(EnhancedStatus.CONNECT_FAILED);
    }

    @Test
    void verifyShouldMoveOnToTheNextServerWhenTheFirstCannotBeReached() throws IOException {
        server = FakeLmtpServer.start(LmtpHandler.defaults());
        DestinationList servers = DestinationList.of(Destination.parse("inet:[127.0.0.1]:" + closedPort()),
                Destination.parse("inet:[127.0.0.1]:" + server.port()));

        Verdict verdict = probe.verify(servers, "alice@example.test");

        assertThat(verdict.fate()).isEqualTo(Fate.DELIVERED);
        assertThat(server.connectionCount()).isEqualTo(1);
    }

    @Test
    void verifyShouldKeepTheFirstServersAnswerToTheRcpt() {
        server = FakeLmtpServer.start(new LmtpHandler() {
            @Override
            public Response rcpt(String args, int index) {
                return Response.reply("550 5.1.1 User doesn't exist");
            }
        });
        FakeLmtpServer second = FakeLmtpServer.start(LmtpHandler.defaults());
        try {
            DestinationList servers = DestinationList.of(Destination.parse("inet:[127.0.0.1]:" + server.port()),
                    Destination.parse("inet:[127.0.0.1]:" + second.port()));

            Verdict verdict = probe.verify(servers, "bob@example.test");

            assertThat(verdict.fate()).isEqualTo(Fate.BOUNCED);
            assertThat(second.connectionCount()).isZero();
        } finally {
            second.close();
        }
    }

    @Test
    void verifyShouldGiveTheLastServersFailureWhenNoServerCanBeReached() throws IOException {
        DestinationList servers = DestinationList.of(Destination.parse("inet:[127.0.0.1]:" + closedPort()),
                Destination.parse("inet:[127.0.0.1]:" + closedPort()));

        Verdict verdict = probe.verify(servers, "alice@example.test");

        assertThat(verdict.fate()).isEqualTo(Fate.DEFERRED);
        assertThat(verdict.status()).isEqualTo(EnhancedStatus.CONNECT_FAILED);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return closed.getLocalPort();
        }
    }

    @Test
    void verifyShouldKeepTheAcceptanceWhenRsetFails() {
        Verdict verdict = verify(new LmtpHandler() {
            @Override
            public Response rset() {
                return Response.drop();
            }
        }, "alice@example.test");

        assertThat(verdict.fate()).isEqualTo(Fate.DELIVERED);
    }
}
