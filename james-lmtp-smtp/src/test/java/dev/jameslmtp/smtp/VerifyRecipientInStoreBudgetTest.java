package dev.jameslmtp.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.MutableClock;
import dev.jameslmtp.testing.Response;

/**
 * Issue 12: the hook runs on James's SMTP network thread, so a store that hangs or crawls must
 * not hold it. Each RCPT is answered within {@code verifyBudget} (200 ms by default; these tests
 * allow seconds against hangs), a probe for an address already running, a store that failed
 * recently and a full probe queue are answered at once, and each probe ends at {@code probeTimeout}.
 */
class VerifyRecipientInStoreBudgetTest {

    private static final MaybeSender SENDER = MaybeSender.getMailSender("someone@elsewhere.test");
    /** Far longer than any budget, far shorter than a store's timeouts in these tests. */
    private static final Duration AT_ONCE = Duration.ofSeconds(3);

    /** Accepts the connection and never says a word. */
    private static final LmtpHandler SILENT = new LmtpHandler() {
        @Override
        public Response greeting() {
            return Response.stall();
        }
    };

    private final MutableClock clock = new MutableClock();
    private final RecordingMetricFactory metrics = new RecordingMetricFactory();
    private final List<VerifyRecipientInStore> hooks = new ArrayList<>();
    private FakeLmtpServer server;

    @AfterEach
    void stopHooksAndServer() {
        hooks.forEach(VerifyRecipientInStore::destroy);
        if (server != null) {
            server.close();
        }
    }

    private VerifyRecipientInStore hook(String... parameters) throws ConfigurationException {
        JamesRecipients james = new JamesRecipients() {
            @Override
            public boolean isLocalDomain(Domain domain) {
                return Set.of("example.test", "james.test").contains(domain.asString());
            }

            @Override
            public boolean isKnown(MailAddress recipient) {
                return false;
            }
        };
        VerifyRecipientInStore hook = new VerifyRecipientInStore(james, metrics, clock, () -> "james.test");
        BaseHierarchicalConfiguration config = new BaseHierarchicalConfiguration();
        for (int i = 0; i < parameters.length; i += 2) {
            config.addProperty(parameters[i], parameters[i + 1]);
        }
        hook.init(config);
        hooks.add(hook);
        return hook;
    }

    private VerifyRecipientInStore hookInFrontOf(LmtpHandler handler, String... parameters) throws ConfigurationException {
        server = FakeLmtpServer.start(handler);
        List<String> all = new ArrayList<>(List.of("destination", "inet:[127.0.0.1]:" + server.port(),
                "connectTimeout", "5s", "replyTimeout", "10s"));
        all.addAll(List.of(parameters));
        return hook(all.toArray(String[]::new));
    }

    private static HookResult rcpt(VerifyRecipientInStore hook, String address) {
        return assertTimeoutPreemptively(AT_ONCE, () -> hook.doRcpt(null, SENDER, new MailAddress(address)));
    }

    private static void assertInProgress(HookResult result, String address) {
        assertThat(result.getResult()).isEqualTo(HookReturnCode.denySoft());
        assertThat(result.getSmtpRetCode()).isEqualTo("450");
        assertThat(result.getSmtpDescription())
                .isEqualTo("4.1.1 <" + address + ">: Recipient address rejected: unverified address: address verification in progress");
    }

    @Test
    void doRcptShouldAnswerInProgressWithinTheBudgetWhenTheStoreNeverGreets() throws Exception {
        VerifyRecipientInStore hook = hookInFrontOf(SILENT);           // default verifyBudget: 200 ms

        HookResult result = rcpt(hook, "alice@example.test");

        assertInProgress(result, "alice@example.test");
        assertThat(metrics.countFor(VerificationMetrics.IN_PROGRESS)).isEqualTo(1);
        assertThat(metrics.countFor(VerificationMetrics.DEFERRED)).isEqualTo(1);
    }

    @Test
    void doRcptShouldAnswerInProgressAtOnceWithoutASecondProbeWhileAProbeForTheAddressRuns() throws Exception {
        VerifyRecipientInStore hook = hookInFrontOf(SILENT);
        rcpt(hook, "alice@example.test");

        assertInProgress(rcpt(hook, "alice@example.test"), "alice@example.test");
        assertInProgress(rcpt(hook, "Alice@Example.test"), "Alice@example.test");

        assertThat(metrics.countFor(VerificationMetrics.PROBES)).isEqualTo(1);
        assertThat(metrics.countFor(VerificationMetrics.IN_PROGRESS)).isEqualTo(3);
    }

    @Test
    void doRcptShouldAnswerFromTheCacheOnceTheProbeThatOutlivedTheBudgetEnds() throws Exception {
        VerifyRecipientInStore hook = hookInFrontOf(new LmtpHandler() {
            @Override
            public Response rcpt(String args, int index) {
                return Response.delay(Duration.ofMillis(500), Response.reply("250 2.1.5 Ok"));
            }
        }, "verifyBudget", "0");                                        // never wait, as Postfix

        assertInProgress(rcpt(hook, "alice@example.test"), "alice@example.test");

        HookResult later = rcpt(hook, "alice@example.test");            // the client tries again until the probe has ended
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!later.equals(HookResult.DECLINED) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            later = rcpt(hook, "alice@example.test");
        }
        assertThat(later).isEqualTo(HookResult.DECLINED);
        assertThat(metrics.countFor(VerificationMetrics.PROBES)).isEqualTo(1);
    }

    @Test
    void doRcptShouldAnswerTheStoreFailureWithoutProbingWhileTheStoreFailedRecently() throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        VerifyRecipientInStore hook = hook("destination", "inet:[127.0.0.1]:" + port, "verifyBudget", "2 seconds");
        assertThat(rcpt(hook, "alice@example.test").getSmtpRetCode()).isEqualTo("451");     // t = 0: probe 1, refused

        clock.advance(Duration.ofSeconds(9));                           // t = 9 s: within temporaryExpireTime (10 s)
        HookResult bob = rcpt(hook, "bob@example.test");
        assertThat(bob.getResult()).isEqualTo(HookReturnCode.denySoft());
        assertThat(bob.getSmtpDescription()).startsWith("4.4.1 <bob@example.test>");
        assertThat(metrics.countFor(VerificationMetrics.PROBES)).isEqualTo(1);
        assertThat(metrics.countFor(VerificationMetrics.STORE_FAILED_RECENTLY)).isEqualTo(1);

        clock.advance(Duration.ofSeconds(1));                           // t = 10 s: asked again
        rcpt(hook, "carol@example.test");
        assertThat(metrics.countFor(VerificationMetrics.PROBES)).isEqualTo(2);
    }

    @Test
    void doRcptShouldAnswerBusyAtOnceWhenEveryProbeThreadAndTheQueueAreTaken() throws Exception {
        VerifyRecipientInStore hook = hookInFrontOf(SILENT, "probeThreads", "1", "probeQueueSize", "1", "verifyBudget", "0");
        assertInProgress(rcpt(hook, "a@example.test"), "a@example.test");     // on the probe thread
        assertInProgress(rcpt(hook, "b@example.test"), "b@example.test");     // in the queue

        HookResult result = rcpt(hook, "c@example.test");

        assertThat(result.getResult()).isEqualTo(HookReturnCode.denySoft());
        assertThat(result.getSmtpRetCode()).isEqualTo("451");
        assertThat(result.getSmtpDescription()).isEqualTo("4.3.0 <c@example.test>: Recipient address verification is busy, try again later");
        assertThat(metrics.countFor(VerificationMetrics.QUEUE_FULL)).isEqualTo(1);
    }

    @Test
    void probeShouldEndAtProbeTimeoutWhenASlowStoreSpreadsItsRepliesWithinTheirTimeouts() throws Exception {
        Duration slow = Duration.ofMillis(400);                         // each reply well within replyTimeout (10 s)
        VerifyRecipientInStore hook = hookInFrontOf(new LmtpHandler() {
            @Override
            public Response greeting() {
                return Response.delay(slow, Response.reply("220 slow.test LMTP"));
            }

            @Override
            public Response lhlo(String arg) {
                return Response.delay(slow, LmtpHandler.lhloReply("slow.test", capabilities()));
            }

            @Override
            public Response mail(String args) {
                return Response.delay(slow, Response.reply("250 2.1.0 Ok"));
            }

            @Override
            public Response rcpt(String args, int index) {
                return Response.delay(slow, Response.reply("250 2.1.5 Ok"));
            }
        }, "probeTimeout", "1 second", "verifyBudget", "2 seconds");

        HookResult result = rcpt(hook, "alice@example.test");            // 4 x 400 ms of replies > 1 s

        assertThat(result.getResult()).isEqualTo(HookReturnCode.denySoft());
        assertThat(result.getSmtpDescription()).startsWith("4.4.2 <alice@example.test>");
        assertThat(server.awaitClosed(0, Duration.ofSeconds(5))).isTrue();
        assertThat(server.commands(0)).doesNotContain("RCPT TO:<alice@example.test>");
    }

    @Test
    void initShouldRefuseAVerifyBudgetAboveTwoSecondsNamingIt() {
        assertThatThrownBy(() -> hook("destination", "inet:[127.0.0.1]:24", "verifyBudget", "5 seconds"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("verifyBudget")
                .hasMessageContaining("5 seconds")
                .hasMessageContaining("from 0 to 2 seconds");
    }

    @Test
    void destroyShouldEndTheProbesInProgressAndStopProbing() throws Exception {
        try (SilentStore silent = SilentStore.start()) {
            VerifyRecipientInStore hook = hook("destination", "inet:[127.0.0.1]:" + silent.port(), "replyTimeout", "60s",
                    "verifyBudget", "0");
            assertInProgress(rcpt(hook, "alice@example.test"), "alice@example.test");
            awaitConnections(silent, 1);

            hook.destroy();

            assertThat(silent.awaitClosedByClient(Duration.ofSeconds(5))).as("probe socket closed long before replyTimeout").isTrue();
            HookResult after = rcpt(hook, "bob@example.test");
            assertThat(after.getResult()).isEqualTo(HookReturnCode.denySoft());
            assertThat(silent.connections()).isEqualTo(1);
        }
    }

    private static void awaitConnections(SilentStore store, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (store.connections() < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(store.connections()).isEqualTo(count);
    }
}
