package dev.jameslmtp.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The management HTTP API of a {@link RabbitMqServer}'s node, as its administrator: queue depths, deletions, the overview. */
final class RabbitMqManagement {

    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern JSON_OBJECT = Pattern.compile("\\{([^{}]*)}");
    private static final Pattern JSON_FIELD = Pattern.compile("\"(\\w+)\":(?:\"((?:[^\"\\\\]|\\\\.)*)\"|(-?\\d+))");

    private final URI base;
    private final String credentials;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1) // the management API closes the connection on an h2c upgrade with a body
            .connectTimeout(HTTP_TIMEOUT).build();

    RabbitMqManagement(URI base, String user, String password) {
        this.base = base;
        this.credentials = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** See {@link RabbitMqServer#queueDepths()}. */
    SortedMap<String, RabbitMqServer.QueueDepth> queueDepths() {
        SortedMap<String, RabbitMqServer.QueueDepth> depths = new TreeMap<>();
        for (Map<String, String> queue : objects(get("/api/queues?columns=name,messages_ready,messages_unacknowledged"))) {
            depths.put(queue.get("name"), new RabbitMqServer.QueueDepth(Long.parseLong(queue.getOrDefault("messages_ready", "0")),
                    Long.parseLong(queue.getOrDefault("messages_unacknowledged", "0"))));
        }
        return depths;
    }

    /** Deletes every queue and exchange whose name starts with {@code prefix}, with the messages in them. */
    void deleteStartingWith(String prefix) {
        for (String kind : List.of("queues", "exchanges")) {
            for (Map<String, String> entity : objects(get("/api/" + kind + "?columns=name"))) {
                String name = entity.get("name");
                if (name.startsWith(prefix)) {
                    send("DELETE", "/api/" + kind + "/%2F/" + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20"));
                }
            }
        }
    }

    String get(String path) {
        return send("GET", path);
    }

    /** One management API request as the administrator; throws unless the answer is 2xx. */
    private String send(String method, String path) {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(HTTP_TIMEOUT)
                .header("Authorization", "Basic " + credentials)
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(method + " " + path + ": HTTP " + response.statusCode() + " " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + method + " " + path, e);
        }
    }

    /**
     * The flat objects of a JSON array as the management API writes it with {@code columns=}
     * (string and integer values only, which is all those columns hold).
     */
    private static List<Map<String, String>> objects(String json) {
        List<Map<String, String>> objects = new ArrayList<>();
        Matcher object = JSON_OBJECT.matcher(json);
        while (object.find()) {
            Map<String, String> fields = new TreeMap<>();
            Matcher field = JSON_FIELD.matcher(object.group(1));
            while (field.find()) {
                fields.put(field.group(1), field.group(2) != null ? field.group(2) : field.group(3));
            }
            objects.add(fields);
        }
        return objects;
    }
}
