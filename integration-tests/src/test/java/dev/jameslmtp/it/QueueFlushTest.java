package dev.jameslmtp.it;

import static dev.jameslmtp.it.Lmtp.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The webadmin calls of docs/operations.md against a real James: list the queues, see the
 * deferred mail in the mailet's queue, and flush it with
 * {@code PATCH /mailQueues/<name>/mails?delayed=true} and the body {@code {"delayed": false}} once
 * the store is back, long before its next retry.
 */
class QueueFlushTest extends DovecotJamesTestBase {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private TcpRelay relay;

    @Override
    protected Map<String, String> lmtpDelivery() throws Exception {
        relay = closeAfterAll(TcpRelay.reserve(dovecot.tcpPort()));
        Map<String, String> parameters = Lmtp.toDestination("inet:127.0.0.1:" + relay.port());
        parameters.put("delayTime", "1 hour");                 // only a flush can deliver within the test
        parameters.put("maxRetries", "3");
        return parameters;
    }

    @Override
    protected EmbeddedJames.Builder james(EmbeddedJames.Builder builder) {
        return builder.webAdmin();
    }

    @Test
    void flushingTheDelayedMailShouldDeliverItAtOnceAfterTheStoreComesBack() throws Exception {
        String alice = dovecot.address("alice");
        TestMessage message = TestMessage.create(EmbeddedJames.SENDER, List.of(alice), "webadmin-flush");
        long deferredBefore = james.counter(Lmtp.DEFERRED);

        james.send(EmbeddedJames.SENDER, List.of(alice), message.text());
        AWAIT.until(() -> james.counter(Lmtp.DEFERRED) > deferredBefore);

        assertThat(get("/mailQueues").body()).contains("\"" + Lmtp.QUEUE + "\"");
        assertThat(get("/mailQueues/" + Lmtp.QUEUE).body()).contains("\"size\":1");
        // not GET .../mails here: on James 3.8.1's memory queue it closes the queue twice and stops its consumer

        relay.open();
        assertThat(patch("/mailQueues/" + Lmtp.QUEUE + "/mails?delayed=true", "").statusCode())
                .as("without the JSON body").isEqualTo(400);
        assertThat(patch("/mailQueues/" + Lmtp.QUEUE + "/mails?delayed=true", "{\"delayed\": false}").statusCode())
                .isEqualTo(204);

        AWAIT.untilAsserted(() -> assertThat(message.copiesIn(dovecot.messages("alice"))).hasSize(1));
        AWAIT.until(() -> james.queueSize(Lmtp.QUEUE) == 0);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> patch(String path, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + james.webAdminPort() + path);
    }
}
