package dev.jameslmtp.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.MutableClock;
import dev.jameslmtp.testing.Response;

/**
 * The hook against a scripted LMTP store on loopback: what the SMTP client is told at RCPT for
 * each answer of the store, which recipients are never probed, and how long answers are kept.
 * These stores answer in milliseconds, so the hook is given the largest {@code verifyBudget}
 * (2 seconds) unless a test says otherwise: each RCPT gets the probe's answer, not "in progress".
 * What happens when the store is slower than the budget: {@link VerifyRecipientInStoreBudgetTest}.
 */
class VerifyRecipientInStoreTest {

    private static final String STORE_DOMAIN = "example.test";
    private static final MaybeSender SENDER = MaybeSender.getMailSender("someone@elsewhere.test");

    /** Dovecot's answers: alice and a James-known user exist, everyone else does not. */
    private static final LmtpHandler DOVECOT_LIKE = LmtpHandler.knowingOnly("alice");

    private final MutableClock clock = new MutableClock();
    private final RecordingMetricFactory metrics = new RecordingMetricFactory();
    private FakeLmtpServer server;

    /** Under target/: the UNIX socket and the transport map of a test. */
    private Path tmp;

    @BeforeEach
    void makeWorkDir() throws IOException {
        Path target = Files.createDirectories(Path.of("target", "hook-tests"));
        tmp = Files.createTempDirectory(target.toAbsolutePath(), "t");
    }

    private final List<VerifyRecipientInStore> hooks = new ArrayList<>();

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
                return Set.of(STORE_DOMAIN, "james.test", "other.test").contains(domain.asString());
            }

            @Override
            public boolean isKnown(MailAddress recipient) {
                return recipient.getLocalPart().equals("jamesuser");
            }
        };
        VerifyRecipientInStore hook = new VerifyRecipientInStore(james, metrics, clock, () -> "james.test");
        BaseHierarchicalConfiguration config = new BaseHierarchicalConfiguration();
        config.addProperty("[@class]", VerifyRecipientInStore.class.getName());
        List<String> given = new ArrayList<>();
        for (int i = 0; i < parameters.length; i += 2) {
            config.addProperty(parameters[i], parameters[i + 1]);
            given.add(parameters[i]);
        }
        if (!given.contains("verifyBudget")) {
            config.addProperty("verifyBudget", "2 seconds");
        }
        hook.init(config);
        hooks.add(hook);
        return hook;
    }

    private VerifyRecipientInStore hookInFrontOf(LmtpHandler handler) throws ConfigurationException {
        server = FakeLmtpServer.start(handler);
        return hook("destination", "inet:[127.0.0.1]:" + server.port(), "connectTimeout", "5s", "replyTimeout", "5s");
    }

    private static HookResult rcpt(VerifyRecipientInStore hook, String address) throws Exception {
        return hook.doRcpt(null, SENDER, new MailAddress(address));
    }

    @Test
    void doRcptShouldDeclineSoThatJamesAcceptsWhenTheStoreAcceptsTheRecipient() throws Exception {
        VerifyRecipientInStore hook = hookInFrontOf(DOVECOT_LIKE);

        HookResult result = rcpt(hook, "alice@example.test");

        assertThat(result).isEqualTo(HookResult.DECLINED);
        assertThat(server.awaitClosed(0, Duration.ofSeconds(5))).isTrue();
        assertThat(server.commands(0)).containsExactly("LHLO james.test", "MAIL FROM:<>", "RCPT TO:<alice@example.test>", "RSET", "QUIT");
    }

    @Test
    void doRcptShouldRejectWithTheStoreStatusWhenTheStoreSaysUnknownUser() throws Exception {
        VerifyRecipientInStore hook = hookInFrontOf(DOVECOT_LIKE);

        HookResult result = rcpt(hook, "nobody@example.test");

        assertThat(result.getResult()).isEqualTo(HookReturnCode.deny());
        assertThat(result.getSmtpRetCode()).isEqualTo("550");
        assertThat(result.getSmtpDescription()).startsWith("5.1.1 <nobody@example.test>: Recipient address rejected: ")
                .contains("User doesn't exist");
    }

    @Test
    void doRcptShouldAnswer4xxWhenTheStoreAnswers4xx() throws Exception {
        VerifyRecipientInStore hook = hookInFrontOf(new LmtpHandler() {
            @Override
            public Response rcpt(String args, int index) {
                return Response.reply("451 4.3.0 <alice@example.test> Temporary internal error");
            }
        });

        HookResult result = rcpt(hook, "alice@example.test");

        assertThat(result.getResult()).isEqualTo(HookReturnCode.denySoft());
        assertThat(result.getSmtpRetCode()).isEqualTo("451");
        assertThat(result.getSmtpDescription()).startsWith("4.3.0 ");
    }

    @Test
    void doRcptShouldAnswer451NotTheStores421WhichWouldCloseTheSmtpSession() throws Exception {
        VerifyRecipientInStore hook = hookInFrontOf(new LmtpHandler() {
            @Override
            public Response greeting() {
                return Response.reply("421 4.3.2 fake.test shutting down");
            }
        });

        HookResult result = rcpt(hook, "alice@example.test");

        assertThat(result.getResult()).isEqualTo(HookReturnCode.denySoft());
        assertThat(result.getSmtpRetCode()).isEqualTo("451");
        assertThat(result.getSmtpDescription()).startsWith("4.3.2 <alice@example.test>");
    }

    @Test
    void doRcptShouldAnswer451WithoutStoreDetailsWhenTheStoreIsDown() throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        VerifyRecipientInStore hook = hook("destination", "inet:[127.0.0.1]:" + port, "connectTimeout", "5s");

        HookResult result = rcpt(hook, "alice@example.test");

        assertThat(result.getResult()).isEqualTo(HookReturnCode.denySoft());
        assertThat(result.getSmtpRetCode()).isEqualTo("451");
        assertThat(result.getSmtpDescription()).isEqualTo("4.4.1 <alice@example.test>: Recipient address verification failed, try again later");
        assertThat(metrics.countFor(VerificationMetrics.DEFERRED)).isEqualTo(1);
    }

    @Test
    void doRcptShouldProbeAgainOnceTheStoreIsBack() throws Exception {
        Path socket = tmp.resolve("lmtp");                       // nothing listens there yet
        VerifyRecipientInStore hook = hook("destination", "unix:" + socket);
        assertThat(rcpt(hook, "alice@example.test").getSmtpRetCode()).isEqualTo("451");

        server = FakeLmtpServer.startUnix(socket, DOVECOT_LIKE);
        clock.advance(Duration.ofSeconds(10));                   // temporaryExpireTime: the failure is forgotten

        assertThat(rcpt(hook, "alice@example.test")).isEqualTo(HookResult.DECLINED);
    }

    @Test
    void doRcptShouldAskTheNextServerOfTheDestinationWhenTheFirstIsDown() throws Exception {
        server = FakeLmtpServer.start(DOVECOT_LIKE);
        VerifyRecipientInStore hook = hook("destination", "unix:" + tmp.resolve("down.sock") + ", inet:[127.0.0.1]:" + server.port());

        assertThat(rcpt(hook, "alice@example.test")).isEqualTo(HookResult.DECLINED);
        assertThat(rcpt(hook, "nobody@example.test").getSmtpRetCode()).isEqualTo("550");
    }

    @Test
    void doRcptShouldDeclineWithoutProbingRecipientsOfOtherDomains() throws Exception {
        VerifyRecipientInStore hook = hookInFrontOf(DOVECOT_LIKE);

        assertThat(rcpt(hook, "someone@elsewhere.test")).isEqualTo(HookResult.DECLINED);
        assertThat(server.connectionCount()).isZero();
    }

    @Test
    void doRcptShouldDeclineWithoutProbingRecipientsJamesKnows() throws Exception {
        VerifyRecipientInStore hook = hookInFrontOf(DOVECOT_LIKE);

        assertThat(rcpt(hook, "jamesuser@example.test")).isEqualTo(HookResult.DECLINED);
        assertThat(server.connectionCount()).isZero();
    }

    @Test
    void doRcptShouldDeclineWithoutProbingJamesDomainsTheTransportMapDoesNotRoute() throws Exception {
        server = FakeLmtpServer.start(DOVECOT_LIKE);
        Path map = Files.writeString(tmp.resolve("transport"), STORE_DOMAIN + " inet:[127.0.0.1]:" + server.port() + "\n");
        VerifyRecipientInStore hook = hook("transportMap", map.toString());

        assertThat(rcpt(hook, "nobody@other.test")).isEqualTo(HookResult.DECLINED);
        assertThat(server.connectionCount()).isZero();
        assertThat(rcpt(hook, "nobody@example.test").getSmtpRetCode()).isEqualTo("550");
        assertThat(server.connectionCount()).isEqualTo(1);
    }

    @Test
    void doRcptShouldAnswerFromTheCacheUntilTheLifetimeEnds() throws Exception {
        server = FakeLmtpServer.start(DOVECOT_LIKE);
        VerifyRecipientInStore hook = hook("destination", "inet:[127.0.0.1]:" + server.port(),
                "positiveExpireTime", "1 hour", "negativeExpireTime", "5 minutes");

        rcpt(hook, "alice@example.test");                       // probe 1
        rcpt(hook, "nobody@example.test");                      // probe 2
        clock.advance(Duration.ofMinutes(4));                   // t = 4 min: both remembered
        assertThat(rcpt(hook, "alice@example.test")).isEqualTo(HookResult.DECLINED);
        assertThat(rcpt(hook, "nobody@example.test").getSmtpRetCode()).isEqualTo("550");
        assertThat(server.connectionCount()).isEqualTo(2);

        clock.advance(Duration.ofMinutes(1));                   // t = 5 min: the refusal expired
        rcpt(hook, "alice@example.test");
        rcpt(hook, "nobody@example.test");                      // probe 3
        assertThat(server.connectionCount()).isEqualTo(3);

        clock.advance(Duration.ofMinutes(55));                  // t = 60 min: the acceptance expired
        rcpt(hook, "alice@example.test");                       // probe 4
        assertThat(server.connectionCount()).isEqualTo(4);
        assertThat(metrics.countFor(VerificationMetrics.PROBES)).isEqualTo(4);
        assertThat(metrics.countFor(VerificationMetrics.ACCEPTED)).isEqualTo(4);
        assertThat(metrics.countFor(VerificationMetrics.REFUSED)).isEqualTo(3);
        assertThat(metrics.countFor(VerificationMetrics.DEFERRED)).isZero();
    }

    @Test
    void doRcptShouldProbeWithTheMailetsTlsSettingsAndDeferWhenTheStoreCannotEncrypt() throws Exception {
        server = FakeLmtpServer.start(DOVECOT_LIKE);              // offers no STARTTLS
        VerifyRecipientInStore hook = hook("destination", "inet:[127.0.0.1]:" + server.port(), "tlsSecurityLevel", "encrypt");

        HookResult result = rcpt(hook, "alice@example.test");

        assertThat(result.getResult()).isEqualTo(HookReturnCode.denySoft());
        assertThat(result.getSmtpRetCode()).isEqualTo("451");
        assertThat(result.getSmtpDescription()).startsWith("4.7.");
        assertThat(server.commands(0)).doesNotContain("RCPT TO:<alice@example.test>");
    }

    @Test
    void initShouldRefuseSaslSettingsWithoutAPasswordMapAsTheMailetDoes() {
        assertThatThrownBy(() -> hook("destination", "inet:[127.0.0.1]:24", "requireAuth", "true"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("saslPasswordMap");
    }

    @Test
    void initShouldFailNamingTheParameterWhenAValueIsMalformed() {
        assertThatThrownBy(() -> hook("destination", "inet:[127.0.0.1]:24", "positiveExpireTime", "forever"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("positiveExpireTime")
                .hasMessageContaining("forever");
    }

    @Test
    void initShouldFailNamingAnUnknownParameter() {
        assertThatThrownBy(() -> hook("destination", "inet:[127.0.0.1]:24", "deliveryThreads", "4"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("deliveryThreads");
    }

    @Test
    void initShouldFailWhenAParameterIsGivenTwice() {
        assertThatThrownBy(() -> hook("destination", "inet:[127.0.0.1]:24", "cacheSize", "10", "cacheSize", "20"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("cacheSize")
                .hasMessageContaining("2 times");
    }

    @Test
    void initShouldFailWhenNoDestinationIsGiven() {
        assertThatThrownBy(() -> hook("cacheSize", "10"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("destination")
                .hasMessageContaining("transportMap");
    }

    @Test
    void doRcptShouldRefuseWith501AndProbeNothingWhenTheAddressHoldsAControlCharacter() throws Exception {
        VerifyRecipientInStore hook = hookInFrontOf(DOVECOT_LIKE);
        MailAddress tab = new MailAddress("\"a\\\tb\"@example.test");     // RCPT TO:<"a\<TAB>b"@example.test>, which James parses

        HookResult result = hook.doRcpt(null, SENDER, tab);

        assertThat(result.getResult()).isEqualTo(HookReturnCode.deny());
        assertThat(result.getSmtpRetCode()).isEqualTo("501");
        assertThat(result.getSmtpDescription()).isEqualTo("5.1.3 Bad recipient address syntax");
        assertThat(server.connectionCount()).isZero();
    }

    @Test
    void doRcptShouldProbeOnceForAddressesThatDifferOnlyInCase() throws Exception {
        VerifyRecipientInStore hook = hookInFrontOf(LmtpHandler.defaults());

        assertThat(rcpt(hook, "BoB@Example.test")).isEqualTo(HookResult.DECLINED);
        assertThat(rcpt(hook, "bob@example.test")).isEqualTo(HookResult.DECLINED);
        assertThat(rcpt(hook, "BOB@EXAMPLE.TEST")).isEqualTo(HookResult.DECLINED);

        assertThat(server.connectionCount()).isEqualTo(1);
        assertThat(metrics.countFor(VerificationMetrics.PROBES)).isEqualTo(1);
    }

    @Test
    void doRcptShouldProbeEachSpellingOfTheLocalPartWhenItIsCaseSensitive() throws Exception {
        server = FakeLmtpServer.start(LmtpHandler.defaults());
        VerifyRecipientInStore hook = hook("destination", "inet:[127.0.0.1]:" + server.port(), "localPartCaseSensitive", "true");

        rcpt(hook, "BoB@example.test");
        rcpt(hook, "bob@example.test");
        rcpt(hook, "BoB@EXAMPLE.test");                          // the domain is never case-sensitive

        assertThat(server.connectionCount()).isEqualTo(2);
    }

    @Test
    void doRcptShouldRefuseToRunBeforeInit() {
        VerifyRecipientInStore hook = new VerifyRecipientInStore(null, metrics, clock, () -> "james.test");

        assertThatThrownBy(() -> rcpt(hook, "alice@example.test")).isInstanceOf(IllegalStateException.class);
    }
}
