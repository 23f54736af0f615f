package dev.jameslmtp.mailet.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.james.core.healthcheck.Result;
import org.apache.james.core.healthcheck.ResultStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.jameslmtp.client.DestinationList;
import dev.jameslmtp.client.LmtpClient;
import dev.jameslmtp.client.wire.Transcript;
import dev.jameslmtp.conf.LmtpClientFactory;
import dev.jameslmtp.conf.LmtpDeliveryConfiguration;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.MutableClock;
import dev.jameslmtp.testing.Response;
import reactor.core.publisher.Mono;

/**
 * The stores' health as James's health check reports it, against scripted fake stores on
 * 127.0.0.1: healthy, degraded, unhealthy, a store too slow for the check's total, the cache, and
 * AUTH. Every wait is bounded ({@link #WAIT}); no assertion is about speed.
 */
class StoreChecksTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final HealthCheckSettings SETTINGS = new HealthCheckSettings(Duration.ofSeconds(10), Duration.ofSeconds(10));
    private static final LmtpHandler REFUSING = new LmtpHandler() {
        @Override
        public Response greeting() {
            return Response.reply("421 4.3.2 store going down for maintenance");
        }
    };

    @TempDir
    Path temp;

    private final List<FakeLmtpServer> servers = new ArrayList<>();
    private final List<StoreChecks> checks = new ArrayList<>();
    private final StoreHealth stores = new StoreHealth();
    private final MutableClock clock = new MutableClock();

    @AfterEach
    void stop() {
        checks.forEach(StoreChecks::close);
        servers.forEach(FakeLmtpServer::close);
    }

    private FakeLmtpServer server(LmtpHandler handler) {
        FakeLmtpServer server = FakeLmtpServer.start(handler);
        servers.add(server);
        return server;
    }

    private static String at(FakeLmtpServer server) {
        return "inet:[127.0.0.1]:" + server.port();
    }

    private StoreChecks register(String owner, LmtpClient client, HealthCheckSettings settings, Clock clock, String... destinations) {
        Set<DestinationList> lists = Set.of(destinations).stream().map(DestinationList::parse).collect(java.util.stream.Collectors.toSet());
        StoreChecks storeChecks = new StoreChecks(owner, () -> lists, () -> client, settings, clock);
        checks.add(storeChecks);
        stores.register(storeChecks);
        return storeChecks;
    }

    private StoreChecks register(String... destinations) {
        return register("queue lmtp-outgoing", client(), SETTINGS, clock, destinations);
    }

    private static LmtpClient client() {
        return LmtpClient.builder().lhloName("james.test").build();
    }

    private Result check() {
        return Mono.from(new LmtpStoresHealthCheck(stores).check()).block(WAIT);
    }

    @Test
    void checkShouldBeHealthyWhenEveryServerOfTheListOpensASession() {
        FakeLmtpServer a = server(LmtpHandler.defaults());
        FakeLmtpServer b = server(LmtpHandler.defaults());
        register(at(a) + ", " + at(b));

        Result result = check();

        assertThat(result.getStatus()).isEqualTo(ResultStatus.HEALTHY);
        assertThat(result.getComponentName().getName()).isEqualTo("lmtp-stores");
        assertThat(a.connectionCount()).isEqualTo(1);
        assertThat(b.connectionCount()).isEqualTo(1);
    }

    @Test
    void checkShouldSendLhloAndQuitButNoMail() throws InterruptedException {
        FakeLmtpServer a = server(LmtpHandler.defaults());
        register(at(a));

        check();

        assertThat(a.awaitClosed(0, WAIT)).isTrue();
        assertThat(a.commands(0)).containsExactly("LHLO james.test", "QUIT");
    }

    @Test
    void checkShouldBeDegradedNamingTheServerWhenSomeServersOfTheListFail() {
        FakeLmtpServer up = server(LmtpHandler.defaults());
        FakeLmtpServer down = server(REFUSING);
        register(at(up) + ", " + at(down));

        Result result = check();

        assertThat(result.getStatus()).isEqualTo(ResultStatus.DEGRADED);
        assertThat(result.getCause()).hasValueSatisfying(cause -> assertThat(cause)
                .startsWith(at(up) + ", " + at(down) + " degraded: " + at(down) + " failed: ")
                .contains("421 4.3.2 store going down for maintenance")
                .doesNotContain(at(up) + " failed"));
    }

    @Test
    void checkShouldBeUnhealthyWhenEveryServerOfTheListFails() throws Exception {
        FakeLmtpServer down = server(REFUSING);
        FakeLmtpServer gone = server(LmtpHandler.defaults());
        String goneAt = at(gone);
        gone.close();
        register(at(down) + ", " + goneAt);

        Result result = check();

        assertThat(result.getStatus()).isEqualTo(ResultStatus.UNHEALTHY);
        assertThat(result.getCause()).hasValueSatisfying(cause -> assertThat(cause)
                .contains(at(down) + " failed: ", "421 4.3.2")
                .contains(goneAt + " failed: 4.4.1 connect to " + goneAt));
    }

    @Test
    void checkShouldReportTheWorstStoreAndNameOnlyTheStoresThatAreNotHealthy() {
        FakeLmtpServer healthy = server(LmtpHandler.defaults());
        FakeLmtpServer down = server(REFUSING);
        register(at(healthy), at(down));

        Result result = check();

        assertThat(result.getStatus()).isEqualTo(ResultStatus.UNHEALTHY);
        assertThat(result.getCause()).hasValue(at(down) + " unhealthy: " + at(down) + " failed: 421 4.3.2 store going down for maintenance"
                + " (GREETING)");
    }

    @Test
    void aStoreSilentPastTheCheckTotalShouldBeUnhealthyAndSaySo() {
        FakeLmtpServer silent = server(new LmtpHandler() {
            @Override
            public Response greeting() {
                return Response.stall();
            }
        });
        register("queue lmtp-outgoing", client(), new HealthCheckSettings(Duration.ofMillis(500), Duration.ofSeconds(10)), clock,
                at(silent));

        Result result = check();

        assertThat(result.getStatus()).isEqualTo(ResultStatus.UNHEALTHY);
        assertThat(result.getCause()).hasValueSatisfying(cause -> assertThat(cause)
                .contains(at(silent) + " failed: 4.4.2 no session within the check's total of 500 ms; ended while ")
                .contains("(GREETING)"));
    }

    @Test
    void aResultShouldBeReusedWithinTheCacheTimeAndTheStoresCheckedAgainAfterIt() {
        FakeLmtpServer a = server(LmtpHandler.defaults());
        register(at(a));

        check();
        clock.advance(Duration.ofSeconds(9));
        Result cached = check();

        assertThat(cached.getStatus()).isEqualTo(ResultStatus.HEALTHY);
        assertThat(a.connectionCount()).as("answered from the cache").isEqualTo(1);

        clock.advance(Duration.ofSeconds(2));
        check();

        assertThat(a.connectionCount()).as("checked again after healthCheckCacheTime").isEqualTo(2);
    }

    @Test
    void aCachedResultShouldNotHideAStoreThatWentDownOnceTheCacheTimeHasPassed() {
        FakeLmtpServer a = server(LmtpHandler.defaults());
        register(at(a));
        assertThat(check().getStatus()).isEqualTo(ResultStatus.HEALTHY);

        a.close();
        assertThat(check().getStatus()).as("from the cache").isEqualTo(ResultStatus.HEALTHY);
        clock.advance(Duration.ofSeconds(11));

        assertThat(check().getStatus()).isEqualTo(ResultStatus.UNHEALTHY);
    }

    @Test
    void aZeroCacheTimeShouldCheckTheStoresForEveryRequest() {
        FakeLmtpServer a = server(LmtpHandler.defaults());
        register("queue lmtp-outgoing", client(), new HealthCheckSettings(Duration.ofSeconds(10), Duration.ZERO), clock, at(a));

        check();
        check();

        assertThat(a.connectionCount()).isEqualTo(2);
    }

    @Test
    void aRefusedAuthShouldMakeTheStoreUnhealthyWithoutShowingThePassword() throws Exception {
        String password = "s3cret-Pa55";
        FakeLmtpServer store = server(authenticating(false));
        register("queue lmtp-outgoing", authenticatingClient(store, password), SETTINGS, clock, at(store));

        Result result = check();

        assertThat(store.commands(0)).anyMatch(command -> command.startsWith("AUTH PLAIN"));
        assertThat(result.getStatus()).isEqualTo(ResultStatus.UNHEALTHY);
        String encoded = Base64.getEncoder().encodeToString(("\0lmtpuser\0" + password).getBytes(StandardCharsets.UTF_8));
        assertThat(result.getCause()).hasValueSatisfying(cause -> assertThat(cause)
                .contains(at(store) + " failed: ", "SASL authentication to ", "535 5.7.8")
                .doesNotContain(password)
                .doesNotContain(encoded));
    }

    @Test
    void anAcceptedAuthShouldMakeTheStoreHealthy() throws Exception {
        FakeLmtpServer store = server(authenticating(true));
        register("queue lmtp-outgoing", authenticatingClient(store, "pw"), SETTINGS, clock, at(store));

        Result result = check();

        assertThat(result.getStatus()).isEqualTo(ResultStatus.HEALTHY);
        assertThat(store.commands(0)).anyMatch(command -> command.startsWith("AUTH PLAIN")).noneMatch(command -> command.startsWith("MAIL"));
    }

    @Test
    void aRoundThatEndsAtOnceShouldBeAnsweredAndCached() {
        StoreChecks none = register();

        assertThat(none.statuses()).isCompletedWithValue(List.of());
        assertThat(check().getStatus()).isEqualTo(ResultStatus.HEALTHY);
    }

    @Test
    void noStoreShouldBeHealthy() {
        assertThat(check().getStatus()).isEqualTo(ResultStatus.HEALTHY);
    }

    @Test
    void storesOfSeveralMailetsShouldNameTheirMailet() {
        FakeLmtpServer down = server(REFUSING);
        FakeLmtpServer up = server(LmtpHandler.defaults());
        register("queue store-a", client(), SETTINGS, clock, at(down));
        register("queue store-b", client(), SETTINGS, clock, at(up));

        assertThat(check().getCause()).hasValueSatisfying(cause -> assertThat(cause).startsWith(at(down) + " (queue store-a) unhealthy: "));
    }

    @Test
    void closeShouldStopTheCheckThreadsAndTheUnregisteredStoresShouldNotBeReported() throws Exception {
        FakeLmtpServer down = server(REFUSING);
        StoreChecks storeChecks = register(at(down));
        assertThat(check().getStatus()).isEqualTo(ResultStatus.UNHEALTHY);

        stores.unregister(storeChecks);
        storeChecks.close();

        assertThat(storeChecks.awaitStopped(WAIT)).isTrue();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith("lmtp-health-queue_lmtp-outgoing")) {
                thread.join(WAIT.toMillis());
                assertThat(thread.isAlive()).as(thread.getName()).isFalse();
            }
        }
        assertThat(check().getStatus()).isEqualTo(ResultStatus.HEALTHY);
        assertThat(storeChecks.statuses().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEmpty();
    }

    @Test
    void aCheckInProgressShouldEndWhenTheChecksAreClosed() throws Exception {
        FakeLmtpServer silent = server(new LmtpHandler() {
            @Override
            public Response greeting() {
                return Response.stall();
            }
        });
        StoreChecks storeChecks = register("queue lmtp-outgoing", client(), new HealthCheckSettings(Duration.ofMinutes(5), Duration.ZERO),
                clock, at(silent));
        var inProgress = storeChecks.statuses();

        storeChecks.close();

        assertThat(inProgress.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEmpty();
    }

    private static LmtpHandler authenticating(boolean accept) {
        return new LmtpHandler() {
            @Override
            public List<String> capabilities() {
                return List.of("PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME", "AUTH PLAIN");
            }

            @Override
            public Response auth(String args) {
                return args.strip().equalsIgnoreCase("PLAIN") ? Response.reply("334 ") : answer();
            }

            @Override
            public Response authContinuation(String line, int step) {
                return answer();
            }

            private Response answer() {
                return accept ? Response.reply("235 2.7.0 Authenticated") : Response.reply("535 5.7.8 Authentication credentials invalid");
            }
        };
    }

    private LmtpClient authenticatingClient(FakeLmtpServer store, String password) throws Exception {
        Path passwords = Files.createTempFile(temp, "sasl_passwd", "");
        Files.writeString(passwords, "[127.0.0.1]:" + store.port() + " lmtpuser:" + password + "\n");
        LmtpDeliveryConfiguration configuration = LmtpDeliveryConfiguration.parse(Map.of("destination", at(store), "lhloName", "james.test",
                "saslPasswordMap", passwords.toString(), "saslSecurityOptions", "none"), () -> "james.test");
        return LmtpClientFactory.standard().create(configuration, Transcript.NONE);
    }
}
