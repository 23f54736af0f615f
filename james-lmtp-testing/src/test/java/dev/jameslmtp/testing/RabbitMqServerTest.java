package dev.jameslmtp.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The RabbitMQ harness serves AMQP and the management API on loopback, counts messages, and stops what it starts. */
class RabbitMqServerTest {

    private static final String WORK_QUEUE = RabbitMqServer.JAMES_PREFIX + "-workqueue-harness";
    private static final String EXCHANGE = RabbitMqServer.JAMES_PREFIX + "-exchange-harness";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void startShouldServeAmqpAndTheManagementApiAndCloseShouldLeaveNoProcessBehind() throws Exception {
        RabbitMqServer rabbit = RabbitMqServer.start(Path.of("target", "rabbitmq-harness", "lifecycle"));
        try {
            System.out.println("RabbitMQ started in " + rabbit.startupTime().toMillis() + " ms");
            assertThat(rabbit.amqpUri().toString()).startsWith("amqp://127.0.0.1:");
            try (Socket amqp = new Socket()) {
                amqp.connect(new InetSocketAddress("127.0.0.1", rabbit.amqpUri().getPort()), 2000);
            }
            assertThat(call(rabbit, "GET", "/api/overview", null).body()).contains("\"rabbitmq_version\":\"3.10.8\"");
            assertThat(rabbit.processes()).extracting(process -> process.info().command().orElse(""))
                    .anyMatch(command -> command.endsWith("/beam.smp"))
                    .anyMatch(command -> command.endsWith("/epmd"));
        } finally {
            rabbit.close();
        }

        assertThat(rabbit.processes()).as("the VM, its helpers and the port mapper (zombies have no environment)").isEmpty();
        assertThatThrownBy(() -> new Socket("127.0.0.1", rabbit.amqpUri().getPort()).close()).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> new Socket("127.0.0.1", rabbit.managementUri().getPort()).close()).isInstanceOf(IOException.class);
    }

    @Test
    void queueDepthsShouldCountReadyMessagesAndDeleteJamesQueuesShouldKeepOtherQueues() throws Exception {
        try (RabbitMqServer rabbit = RabbitMqServer.start(Path.of("target", "rabbitmq-harness", "queues"))) {
            for (String queue : List.of(WORK_QUEUE, "other")) {
                call(rabbit, "PUT", "/api/queues/%2F/" + queue, "{\"durable\":true}");
            }
            call(rabbit, "PUT", "/api/exchanges/%2F/" + EXCHANGE, "{\"type\":\"direct\"}");
            for (int i = 0; i < 2; i++) {
                call(rabbit, "POST", "/api/exchanges/%2F/amq.default/publish",
                        "{\"properties\":{},\"routing_key\":\"" + WORK_QUEUE + "\",\"payload\":\"m" + i + "\",\"payload_encoding\":\"string\"}");
            }

            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!new RabbitMqServer.QueueDepth(2, 0).equals(rabbit.queueDepths().get(WORK_QUEUE)) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(rabbit.queueDepths())
                    .containsEntry(WORK_QUEUE, new RabbitMqServer.QueueDepth(2, 0))
                    .containsEntry("other", new RabbitMqServer.QueueDepth(0, 0));

            rabbit.deleteJamesQueues();

            assertThat(rabbit.queueDepths()).containsOnlyKeys("other");
            assertThat(call(rabbit, "GET", "/api/exchanges?columns=name", null).body()).doesNotContain(EXCHANGE).contains("amq.direct");
        }
    }

    /** A management API request as the harness's administrator; fails unless 2xx. */
    private HttpResponse<String> call(RabbitMqServer rabbit, String method, String path, String json) throws Exception {
        String credentials = rabbit.user() + ":" + rabbit.password();
        HttpRequest request = HttpRequest.newBuilder(rabbit.managementUri().resolve(path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isBetween(200, 299);
        return response;
    }
}
