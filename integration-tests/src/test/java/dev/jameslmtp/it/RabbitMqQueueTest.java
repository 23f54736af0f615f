package dev.jameslmtp.it;

import static dev.jameslmtp.it.Lmtp.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;

import org.apache.james.utils.SMTPMessageSender;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.demo.WorkDirectory;
import dev.jameslmtp.testing.DovecotLmtpServer;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.RabbitMqServer;

/**
 * James's RabbitMQ mail queue ({@link RabbitMqQueueModule}) on a real RabbitMQ under LmtpDelivery:
 * an embedded James whose queues are RabbitMQ's delivers a mail to every recipient at a real
 * Dovecot and leaves the queues empty; two James JVMs on one RabbitMQ, sharing the mails' contents
 * in files, both take mail from the same queues and deliver each mail once (all mail enters
 * through the first James: what the second delivers, it read from the files the first wrote). One
 * RabbitMQ for the class; each test starts on queues deleted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RabbitMqQueueTest {

    private static final Logger LOGGER = LoggerFactory.getLogger(RabbitMqQueueTest.class);
    private static final String QUEUE = "lmtp-rabbitmq";

    private RabbitMqServer rabbit;

    @BeforeAll
    void startRabbitMq() {
        rabbit = RabbitMqServer.start(WorkDirectory.of(getClass(), "rabbitmq"));
        LOGGER.info("RabbitMQ started in {} ms", rabbit.startupTime().toMillis());
    }

    @AfterAll
    void stopRabbitMq() {
        rabbit.close();
    }

    @BeforeEach
    void emptyRabbitMq() {
        rabbit.deleteJamesQueues();
    }

    @Test
    void jamesOnRabbitMqShouldDeliverEveryRecipientAndLeaveTheQueuesEmpty() throws Exception {
        try (DovecotLmtpServer dovecot = DovecotLmtpServer.start(WorkDirectory.of(getClass(), "dovecot"))) {
            Map<String, String> parameters = Lmtp.toDestination(dovecot.tcpDestination());
            parameters.put("outgoing", QUEUE);
            List<String> recipients = List.of(dovecot.address("alice"), dovecot.address("bob"));
            TestMessage message = TestMessage.create(EmbeddedJames.SENDER, recipients, "rabbitmq");

            try (EmbeddedJames james = EmbeddedJames.builder(WorkDirectory.of(getClass(), "james"))
                    .lmtpDelivery("HostIs=" + DovecotLmtpServer.DOMAIN, parameters)
                    .override(new RabbitMqQueueModule(rabbit.amqpUri(), rabbit.managementUri(), rabbit.user(), rabbit.password(),
                            Optional.empty()))
                    .start()) {
                james.send(EmbeddedJames.SENDER, recipients, message.text());

                AWAIT.untilAsserted(() -> {
                    assertThat(message.copiesIn(dovecot.messages("alice"))).hasSize(1);
                    assertThat(message.copiesIn(dovecot.messages("bob"))).hasSize(1);
                });
                AWAIT.until(() -> james.counter(Lmtp.DELIVERED) == 2);
                AWAIT.untilAsserted(() -> assertThat(jamesQueues()).as("the spool, LmtpDelivery's queue and its wait queues")
                        .containsKeys(workQueue("spool"), deadLetters("spool"), workQueue(QUEUE), deadLetters(QUEUE),
                                workQueue(QUEUE + "-wait-1s"), workQueue(QUEUE + "-wait-5s"), workQueue(QUEUE + "-wait-60s"))
                        .allSatisfy((name, depth) -> assertThat(depth).isEqualTo(new RabbitMqServer.QueueDepth(0, 0))));
                assertThat(TestMessage.bodyTextOf(message.copiesIn(dovecot.messages("alice")).get(0))).isEqualTo(message.bodyText());
                assertThat(james.errorCount()).isZero();
            }
            // the client ends its driver threads after the connection closed, from a thread of its own
            AWAIT.untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet()).as("no RabbitMQ client thread once James stopped")
                    .noneMatch(thread -> thread.getName().startsWith("rabbitmq-driver")));
        }
    }

    @Test
    void twoJamesJvmsOnOneRabbitMqShouldBothDeliverAndEachMailOnce() throws Exception {
        Path blobs = WorkDirectory.of(getClass(), "shared-blobs");
        WorkDirectory.delete(blobs);
        List<Process> children = new ArrayList<>();
        try (FakeLmtpServer store = FakeLmtpServer.start(LmtpHandler.defaults())) {
            String destination = "inet:127.0.0.1:" + store.port();
            for (String name : List.of("james-a", "james-b")) {
                children.add(JamesProcess.startFreshOnRabbitMq(WorkDirectory.of(getClass(), name), destination, QUEUE, rabbit, blobs));
            }
            int smtpPort = JamesProcess.smtpPortOf(children.get(0));
            JamesProcess.smtpPortOf(children.get(1)); // the second James consumes before the first mail comes

            List<String> recipients = List.of("bob@store.test", "carol@store.test");
            List<TestMessage> messages = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                TestMessage message = TestMessage.create(EmbeddedJames.SENDER, recipients, "two-jvms-" + i);
                messages.add(message);
                try (SMTPMessageSender sender = SMTPMessageSender.noAuthentication("127.0.0.1", smtpPort, EmbeddedJames.LOCAL_DOMAIN)) {
                    sender.sendMessageWithHeaders(EmbeddedJames.SENDER, recipients, message.text());
                }
            }

            AWAIT.atMost(Duration.ofSeconds(90))
                    .until(() -> messages.stream().allMatch(message -> !copiesByLhlo(store, message).isEmpty()));
            AWAIT.untilAsserted(() -> assertThat(jamesQueues()).isNotEmpty()
                    .allSatisfy((name, depth) -> assertThat(depth).as(name).isEqualTo(new RabbitMqServer.QueueDepth(0, 0))));
            Map<String, Integer> deliveriesByJames = new HashMap<>();
            for (TestMessage message : messages) {
                List<String> deliverers = copiesByLhlo(store, message);
                assertThat(deliverers).as("James JVMs that delivered %s", message.tag()).hasSize(1);
                deliveriesByJames.merge(deliverers.get(0), 1, Integer::sum);
            }
            LOGGER.info("deliveries by James JVM: {}", deliveriesByJames);
            assertThat(deliveriesByJames).containsOnlyKeys("james-a." + EmbeddedJames.LOCAL_DOMAIN, "james-b." + EmbeddedJames.LOCAL_DOMAIN);
        } finally {
            for (Process child : children) {
                stop(child);
            }
        }
    }

    /** The LHLO names of the sessions that stored {@code message}, once per copy. */
    private static List<String> copiesByLhlo(FakeLmtpServer store, TestMessage message) {
        List<String> lhloNames = new ArrayList<>();
        for (int connection = 0; connection < store.connectionCount(); connection++) {
            String lhlo = store.commands(connection).stream().filter(command -> command.startsWith("LHLO ")).findFirst()
                    .map(command -> command.substring("LHLO ".length())).orElse("?");
            store.bodies(connection).stream().filter(message::isIn).forEach(body -> lhloNames.add(lhlo));
        }
        return lhloNames;
    }

    /** Ends the child's standard input, so that its James stops; kills it if it has not ended within a minute. */
    private static void stop(Process child) throws Exception {
        child.getOutputStream().close();
        if (!child.waitFor(60, TimeUnit.SECONDS)) {
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private SortedMap<String, RabbitMqServer.QueueDepth> jamesQueues() {
        SortedMap<String, RabbitMqServer.QueueDepth> depths = rabbit.queueDepths();
        depths.keySet().removeIf(name -> !name.startsWith(RabbitMqServer.JAMES_PREFIX));
        return depths;
    }

    private static String workQueue(String queue) {
        return RabbitMqServer.JAMES_PREFIX + "-workqueue-" + queue;
    }

    private static String deadLetters(String queue) {
        return RabbitMqServer.JAMES_PREFIX + "-dead-letter-queue-" + queue;
    }
}
