package dev.jameslmtp.conf.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.code_intelligence.jazzer.junit.FuzzTest;

import dev.jameslmtp.client.DestinationList;
import dev.jameslmtp.conf.ConfigurationError;

/**
 * Fuzzes the {@link TransportMap} parser: any text either gives a map that answers every domain
 * and writes back to the same map, or fails with a {@link ConfigurationError} naming the file and
 * the line, without raw control characters (it reaches the log). Seeds:
 * {@code src/test/resources/dev/jameslmtp/conf/routing/TransportMapFuzzTestInputs/}.
 */
class TransportMapFuzzTest {

    private static final String SOURCE = "fuzz.transport";

    @FuzzTest(maxDuration = "10m")
    void parseShouldGiveAMapThatRoundTripsOrNameTheLine(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        List<String> lines = List.of(text.split("\r\n|\r|\n", -1));

        Throwable failure = catchThrowable(() -> TransportMap.parse(SOURCE, lines));

        if (failure != null) {
            assertThat(failure).isExactlyInstanceOf(ConfigurationError.class);
            String message = failure.getMessage();
            assertThat(message.chars().noneMatch(c -> c < 0x20 || c == 0x7f)).as("control character in %s", message).isTrue();
            if (!message.equals("transport map " + SOURCE + " has no entries")) {
                assertThat(message).startsWith("transport map " + SOURCE + ", line ");
                String number = message.substring(("transport map " + SOURCE + ", line ").length(), message.indexOf(':'));
                assertThat(Integer.parseInt(number)).isBetween(1, lines.size());
            }
            return;
        }
        TransportMap map = TransportMap.parse(SOURCE, lines);
        assertThat(map.entries()).isNotEmpty();
        List<String> written = new ArrayList<>();
        for (Map.Entry<String, DestinationList> entry : map.entries().entrySet()) {
            String key = entry.getKey();
            assertThat(key).isEqualTo(key.toLowerCase(Locale.ROOT)).doesNotEndWith(".");
            if (!key.startsWith(".")) {
                assertThat(map.destinationFor(key.toUpperCase(Locale.ROOT))).as(key).contains(entry.getValue());
            }
            written.add(key + " lmtp:" + entry.getValue());
        }
        assertThat(TransportMap.parse(SOURCE, written).entries()).isEqualTo(map.entries());

        for (String key : map.entries().keySet()) {
            for (String domain : List.of(key, "sub" + key, "sub." + key, key + ".", "", ".", "Sub.Sub" + key.toUpperCase(Locale.ROOT))) {
                Optional<DestinationList> found = map.destinationFor(domain);
                found.ifPresent(destination -> assertThat(map.entries()).containsValue(destination));
                if (map.entries().containsKey(TransportMap.DEFAULT_KEY)) {
                    assertThat(found).as(domain).isPresent();
                }
            }
        }
    }
}
