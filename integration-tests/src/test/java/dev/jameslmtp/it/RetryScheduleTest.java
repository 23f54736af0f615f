package dev.jameslmtp.it;

import static dev.jameslmtp.it.Lmtp.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.james.webadmin.RandomPortSupplier;
import org.apache.james.webadmin.WebAdminConfiguration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.inject.Module;

import dev.jameslmtp.demo.ActiveMQQueueModule;
import dev.jameslmtp.demo.WorkDirectory;
import dev.jameslmtp.mailet.queue.LmtpQueuesRoutes;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.RabbitMqServer;
import dev.jameslmtp.testing.Response;

/**
 * Retries on schedule on every James flavour's queue (RabbitMQ, ActiveMQ, memory): a store answers {@code 451 4.3.0} to every
 * RCPT for its first {@value #REFUSING_SECONDS} seconds; with {@code delayTime} every
 * {@value #STEP_SECONDS} seconds and no jitter, each attempt comes its step after the one before
 * (within 10 %), the recipient is delivered by the attempt after the store relents, and nothing
 * bounces. On James's RabbitMQ queue, which drops delays, every attempt used to run at once (six
 * in 0.4 s, then a bounce); on its ActiveMQ queue (the JPA flavour), a delay came up to 10 s late.
 * And the mail waiting an hour for its retry is delivered at once by the mailet's flush
 * ({@code POST /lmtp/queues/<outgoing>/flush}), which James's own flush cannot do for it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RetryScheduleTest {

    private static final Logger LOGGER = LoggerFactory.getLogger(RetryScheduleTest.class);
    private static final int REFUSING_SECONDS = 9;
    private static final int STEP_SECONDS = 4;
    private static final String QUEUE = "lmtp-schedule";
    private static final String WAIT_QUEUE = RabbitMqServer.JAMES_PREFIX + "-workqueue-" + QUEUE + "-wait-3600s";

    private RabbitMqServer rabbit;

    @BeforeAll
    void startRabbitMq() {
        rabbit = RabbitMqServer.start(WorkDirectory.of(getClass(), "rabbitmq"));
    }

    @AfterAll
    void stopRabbitMq() {
        rabbit.close();
    }

    private Module queue(String flavour) {
        return switch (flavour) {
            case "rabbitmq" -> new RabbitMqQueueModule(rabbit.amqpUri(), rabbit.managementUri(), rabbit.user(), rabbit.password(),
                    Optional.empty());
            case "activemq" -> new ActiveMQQueueModule();
            case "memory" -> binder -> { }; // James's own memory queue, whose delays are exact
            default -> throw new IllegalArgumentException(flavour);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"rabbitmq", "activemq"})
    void theMailetsFlushShouldDeliverMailWaitingAnHourAtOnce(String flavour) throws Exception {
        rabbit.deleteJamesQueues();
        AtomicBoolean accepting = new AtomicBoolean();
        LmtpHandler refusingUntilTold = new LmtpHandler() {
            @Override
            public Response rcpt(String args, int index) {
                return accepting.get() ? Response.reply("250 2.1.5 OK") : Response.reply("451 4.3.0 Try again later");
            }
        };
        try (FakeLmtpServer store = FakeLmtpServer.start(refusingUntilTold)) {
            Map<String, String> parameters = Lmtp.toDestination("inet:127.0.0.1:" + store.port());
            parameters.put("outgoing", QUEUE);
            parameters.put("delayTime", "1 hour");
            WebAdminConfiguration webAdmin = WebAdminConfiguration.builder().enabled().corsDisabled().host("127.0.0.1")
                    .port(new RandomPortSupplier()).additionalRoute(LmtpQueuesRoutes.class.getName()).build();
            try (EmbeddedJames james = EmbeddedJames.builder(WorkDirectory.of(getClass(), "james-flush-" + flavour))
                    .lmtpDelivery("HostIs=store.test", parameters)
                    .webAdmin()
                    .override(queue(flavour))
                    .override(binder -> binder.bind(WebAdminConfiguration.class).toInstance(webAdmin))
                    .start()) {
                List<String> recipients = List.of("bob@store.test");
                TestMessage message = TestMessage.create(EmbeddedJames.SENDER, recipients, "flush-" + flavour);
                james.send(EmbeddedJames.SENDER, recipients, message.text());
                AWAIT.until(() -> james.counter(Lmtp.DEFERRED) == 1);
                accepting.set(true);

                assertThat(post(james, "/lmtp/queues/no-such-queue/flush").statusCode()).isEqualTo(404);
                Instant flushed = Instant.now();
                assertThat(post(james, "/lmtp/queues/" + QUEUE + "/flush").statusCode()).isEqualTo(204);

                AWAIT.atMost(Duration.ofSeconds(10)).until(() -> james.counter(Lmtp.DELIVERED) == 1);
                LOGGER.info("{}: delivered {} ms after the flush", flavour, Duration.between(flushed, Instant.now()).toMillis());
                assertThat(james.counter(Lmtp.BOUNCED)).isZero();
            }
        }
    }

    /** A James stopped while its holder holds a waiting mail leaves that mail on its wait queue once: no copy beside it. */
    @org.junit.jupiter.api.Test
    void stoppingJamesShouldLeaveAHeldMailOnceOnItsWaitQueue() throws Exception {
        rabbit.deleteJamesQueues();
        LmtpHandler refusing = new LmtpHandler() {
            @Override
            public Response rcpt(String args, int index) {
                return Response.reply("451 4.3.0 Try again later");
            }
        };
        try (FakeLmtpServer store = FakeLmtpServer.start(refusing)) {
            Map<String, String> parameters = Lmtp.toDestination("inet:127.0.0.1:" + store.port());
            parameters.put("outgoing", QUEUE);
            parameters.put("delayTime", "1 hour");
            try (EmbeddedJames james = EmbeddedJames.builder(WorkDirectory.of(getClass(), "james-stop"))
                    .lmtpDelivery("HostIs=store.test", parameters)
                    .override(queue("rabbitmq"))
                    .start()) {
                james.send(EmbeddedJames.SENDER, List.of("bob@store.test"),
                        TestMessage.create(EmbeddedJames.SENDER, List.of("bob@store.test"), "stop").text());
                AWAIT.until(() -> james.counter(Lmtp.DEFERRED) == 1);
                AWAIT.until(() -> rabbit.queueDepths().getOrDefault(WAIT_QUEUE, new RabbitMqServer.QueueDepth(0, 0))
                        .equals(new RabbitMqServer.QueueDepth(0, 1)));
            }
            AWAIT.untilAsserted(() -> assertThat(rabbit.queueDepths().get(WAIT_QUEUE)).as("the held mail, back on its wait queue once")
                    .isEqualTo(new RabbitMqServer.QueueDepth(1, 0)));
        }
    }

    private static HttpResponse<String> post(EmbeddedJames james, String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + james.webAdminPort() + path))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"rabbitmq", "activemq", "memory"})
    void retriesShouldComeOnScheduleAndDeliverOnceTheStoreAcceptsWithoutABounce(String flavour) throws Exception {
        rabbit.deleteJamesQueues();
        List<Instant> attempts = new CopyOnWriteArrayList<>();
        Instant[] acceptFrom = new Instant[1];
        LmtpHandler refusingAWhile = new LmtpHandler() {
            @Override
            public Response rcpt(String args, int index) {
                Instant now = Instant.now();
                if (attempts.isEmpty()) {
                    acceptFrom[0] = now.plusSeconds(REFUSING_SECONDS); // refusing from the first attempt on
                }
                attempts.add(now);
                return now.isBefore(acceptFrom[0]) ? Response.reply("451 4.3.0 Try again later") : Response.reply("250 2.1.5 OK");
            }
        };
        try (FakeLmtpServer store = FakeLmtpServer.start(refusingAWhile)) {
            Map<String, String> parameters = Lmtp.toDestination("inet:127.0.0.1:" + store.port());
            parameters.put("outgoing", QUEUE);
            parameters.put("delayTime", "5*" + STEP_SECONDS + " seconds");
            parameters.put("maxRetries", "5");
            parameters.put("retryJitter", "0%");
            try (EmbeddedJames james = EmbeddedJames.builder(WorkDirectory.of(getClass(), "james-" + flavour))
                    .lmtpDelivery("HostIs=store.test", parameters)
                    .override(queue(flavour))
                    .start()) {
                List<String> recipients = List.of("bob@store.test");
                TestMessage message = TestMessage.create(EmbeddedJames.SENDER, recipients, "schedule-" + flavour);
                james.send(EmbeddedJames.SENDER, recipients, message.text());

                AWAIT.atMost(Duration.ofSeconds(60)).until(() -> james.counter(Lmtp.DELIVERED) == 1);
                List<Duration> gaps = new ArrayList<>();
                for (int i = 1; i < attempts.size(); i++) {
                    gaps.add(Duration.between(attempts.get(i - 1), attempts.get(i)));
                }
                LOGGER.info("{}: {} attempts, gaps {}", flavour, attempts.size(), gaps);

                assertThat(attempts).as("attempts at 0, 4, 8 s refused, the one at 12 s accepted").hasSize(4);
                assertThat(gaps).allSatisfy(gap -> assertThat(gap).as("gap between attempts")
                        .isBetween(Duration.ofSeconds(STEP_SECONDS), Duration.ofMillis(STEP_SECONDS * 1100L)));
                assertThat(james.counter(Lmtp.BOUNCED)).isZero();
                List<byte[]> bodies = new ArrayList<>();
                for (int connection = 0; connection < store.connectionCount(); connection++) {
                    bodies.addAll(store.bodies(connection));
                }
                assertThat(message.copiesIn(bodies)).hasSize(1);
                assertThat(message.copiesIn(james.inbox(EmbeddedJames.SENDER))).as("DSNs").isEmpty();
            }
        }
    }
}
