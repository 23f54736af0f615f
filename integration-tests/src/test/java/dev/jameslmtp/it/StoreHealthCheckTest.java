package dev.jameslmtp.it;

import static dev.jameslmtp.it.Lmtp.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import org.apache.james.webadmin.RandomPortSupplier;
import org.apache.james.webadmin.WebAdminConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.jameslmtp.demo.WorkDirectory;
import dev.jameslmtp.mailet.health.LmtpStoresHealthCheck;
import dev.jameslmtp.mailet.health.LmtpStoresRoutes;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;

/**
 * The stores' health through webadmin in a real James, wired as docs/operations.md says
 * ({@code additional.healthchecks} in {@code healthcheck.properties}, the route in webadmin's
 * {@code extensions.routes}): one LmtpDelivery with a list of two stores, healthy, then degraded
 * when one server of the list is down, then unhealthy when both are, in {@code GET /healthcheck},
 * {@code GET /healthcheck/checks/lmtp-stores} and {@code GET /lmtp/stores}.
 */
class StoreHealthCheckTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final FakeLmtpServer first = FakeLmtpServer.start(LmtpHandler.defaults());
    private final FakeLmtpServer second = FakeLmtpServer.start(LmtpHandler.defaults());
    private EmbeddedJames james;

    @AfterEach
    void stop() {
        if (james != null) {
            james.close();
        }
        first.close();
        second.close();
    }

    @Test
    void webadminShouldShowTheStoreHealthyThenDegradedThenUnhealthy() throws Exception {
        String firstAt = "inet:[127.0.0.1]:" + first.port();
        String secondAt = "inet:[127.0.0.1]:" + second.port();
        Map<String, String> parameters = Lmtp.toDestination(firstAt + ", " + secondAt);
        parameters.put("healthCheckCacheTime", "1 second");
        parameters.put("healthCheckTimeout", "5 seconds");
        WebAdminConfiguration webAdmin = WebAdminConfiguration.builder().enabled().corsDisabled().host("127.0.0.1")
                .port(new RandomPortSupplier()).additionalRoute(LmtpStoresRoutes.class.getName()).build();
        james = EmbeddedJames.builder(WorkDirectory.of(getClass(), "store-health"))
                .lmtpDelivery("HostIs=store.test", parameters)
                .confFiles(Map.of("healthcheck.properties", "additional.healthchecks=" + LmtpStoresHealthCheck.class.getName() + "\n"))
                .webAdmin()
                .override(binder -> binder.bind(WebAdminConfiguration.class).toInstance(webAdmin))
                .start();

        AWAIT.untilAsserted(() -> {
            HttpResponse<String> component = get("/healthcheck/checks/lmtp-stores");
            assertThat(component.statusCode()).isEqualTo(200);
            assertThat(json(component).path("status").asText()).isEqualTo("healthy");
        });
        assertThat(lmtpStoresIn(get("/healthcheck")).path("status").asText()).isEqualTo("healthy");
        JsonNode stores = json(get(LmtpStoresRoutes.BASE_PATH));
        assertThat(stores).hasSize(1);
        assertThat(stores.get(0).path("destination").asText()).isEqualTo(firstAt + ", " + secondAt);
        assertThat(stores.get(0).path("status").asText()).isEqualTo("healthy");

        second.close();

        AWAIT.untilAsserted(() -> {
            HttpResponse<String> component = get("/healthcheck/checks/lmtp-stores");
            assertThat(component.statusCode()).isEqualTo(200);
            assertThat(json(component).path("status").asText()).isEqualTo("degraded");
            assertThat(json(component).path("cause").asText())
                    .startsWith(firstAt + ", " + secondAt + " degraded: " + secondAt + " failed: 4.4.1 connect to " + secondAt);
        });
        HttpResponse<String> all = get("/healthcheck");
        assertThat(all.statusCode()).isEqualTo(200);
        assertThat(lmtpStoresIn(all).path("status").asText()).isEqualTo("degraded");
        JsonNode degraded = json(get(LmtpStoresRoutes.BASE_PATH)).get(0);
        assertThat(degraded.path("status").asText()).isEqualTo("degraded");
        assertThat(degraded.path("failures")).singleElement()
                .satisfies(failure -> assertThat(failure.path("server").asText()).isEqualTo(secondAt));

        first.close();

        AWAIT.untilAsserted(() -> {
            HttpResponse<String> component = get("/healthcheck/checks/lmtp-stores");
            assertThat(component.statusCode()).isEqualTo(503);
            assertThat(json(component).path("status").asText()).isEqualTo("unhealthy");
            assertThat(json(component).path("cause").asText()).contains(firstAt + " failed: ", secondAt + " failed: ");
        });
        HttpResponse<String> unhealthy = get("/healthcheck");
        assertThat(unhealthy.statusCode()).isEqualTo(503);
        assertThat(lmtpStoresIn(unhealthy).path("status").asText()).isEqualTo("unhealthy");
        assertThat(json(get(LmtpStoresRoutes.BASE_PATH)).get(0).path("failures")).hasSize(2);
    }

    private static JsonNode lmtpStoresIn(HttpResponse<String> healthcheck) throws IOException {
        for (JsonNode check : json(healthcheck).path("checks")) {
            if (check.path("componentName").asText().equals(LmtpStoresHealthCheck.NAME)) {
                return check;
            }
        }
        throw new AssertionError("no " + LmtpStoresHealthCheck.NAME + " in " + healthcheck.body());
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + james.webAdminPort() + path))
                .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
