package dev.jameslmtp.conf.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.DestinationList;
import dev.jameslmtp.conf.ConfigurationError;

class TransportMapTest {

    private static final List<String> LINES = List.of(
            "# mail stores",
            "",
            "example.com\tlmtp:unix:/run/dovecot/lmtp",
            ".example.com   inet:store.internal:2424",
            "   # an indented comment",
            "Other.ORG      lmtp:[127.0.0.1]:24",
            "*              127.0.0.9");

    private final TransportMap map = TransportMap.parse("test.map", LINES);

    @ParameterizedTest
    @CsvSource({
            "example.com, unix:/run/dovecot/lmtp",
            "EXAMPLE.com, unix:/run/dovecot/lmtp",
            "a.example.com, inet:store.internal:2424",
            "b.a.example.com, inet:store.internal:2424",
            "other.org, inet:[127.0.0.1]:24",
            "sub.other.org, inet:127.0.0.9:24",
            "elsewhere.net, inet:127.0.0.9:24"})
    void destinationForShouldPickExactThenParentThenDefault(String domain, String expected) {
        assertThat(map.destinationFor(domain)).contains(DestinationList.parse(expected));
    }

    @Test
    void destinationForShouldBeEmptyWithoutDefaultEntry() {
        TransportMap noDefault = TransportMap.parse("x", List.of("example.com unix:/run/x"));

        assertThat(noDefault.destinationFor("example.org")).isEmpty();
        assertThat(noDefault.destinationFor("a.example.com")).isEmpty();
    }

    @Test
    void destinationsShouldListEachDestinationOnce() {
        TransportMap twice = TransportMap.parse("x", List.of("a.test unix:/run/x", "b.test lmtp:unix:/run/x", "c.test inet:h:24"));

        assertThat(twice.destinations()).containsExactlyInAnyOrder(DestinationList.parse("unix:/run/x"), DestinationList.parse("inet:h:24"));
    }

    @Test
    void readShouldParseAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("transport");
        Files.write(file, LINES);

        assertThat(TransportMap.read("transportMap", file).entries()).hasSize(4);
    }

    @Test
    void readShouldNameTheParameterAndFileWhenUnreadable(@TempDir Path dir) {
        Path missing = dir.resolve("missing");

        assertThatThrownBy(() -> TransportMap.read("transportMap", missing))
                .isInstanceOf(ConfigurationError.class)
                .hasMessageStartingWith("parameter 'transportMap': cannot read file '" + missing + "'");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "example.com|line 2: expected 'domain destination', found only 'example.com'",
            "example.com unix:/x # comment|line 2: '#' after the destination",
            "'  example.com unix:/x'|line 2: continuation lines",
            "bob@example.com unix:/x|line 2: 'bob@example.com': only domain keys are supported",
            "exa_mple.com unix:/x|line 2: 'exa_mple.com' is not a domain",
            "example.com smtp:mail.example.com|line 2: transport 'smtp' is not supported",
            "example.com error:no|line 2: transport 'error' is not supported",
            "example.com lmtp:|line 2: 'lmtp:' has no next hop",
            "example.com inet:host:25|line 2: destination 'inet:host:25'",
            "a.test unix:/y|line 2: duplicate entry for 'a.test'"})
    void parseShouldNameFileAndLineOnAnError(String secondLine, String expected) {
        assertThatThrownBy(() -> TransportMap.parse("/etc/james/transport", List.of("a.test unix:/run/x", secondLine)))
                .isInstanceOf(ConfigurationError.class)
                .hasMessageStartingWith("transport map /etc/james/transport, " + expected);
    }

    @Test
    void parseShouldRefuseAMapWithoutEntries() {
        assertThatThrownBy(() -> TransportMap.parse("empty", List.of("# nothing")))
                .isInstanceOf(ConfigurationError.class)
                .hasMessage("transport map empty has no entries");
    }

    @Test
    void parseShouldAcceptBareHostAndPort() {
        assertThat(TransportMap.parse("x", List.of("* mailstore:2424")).destinationFor("any.test")).contains(DestinationList.parse("inet:mailstore:2424"));
    }

    @Test
    void entryShouldAcceptAListOfServersAsPostfixWritesIt() {
        TransportMap failover = TransportMap.parse("x", List.of("example.com lmtp:inet:store-a:24, inet:store-b:24"));

        assertThat(failover.destinationFor("example.com")).contains(DestinationList.of(
                Destination.parse("inet:store-a:24"), Destination.parse("inet:store-b:24")));
    }
}
