package dev.jameslmtp.conf.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.jameslmtp.client.DestinationList;
import dev.jameslmtp.conf.ConfigurationError;
import dev.jameslmtp.testing.Stderr;

/** The transport map follows its file: edits in place and by rename; a broken edit keeps the last good map. */
class TransportMapFileTest {

    @TempDir
    Path dir;

    /** Writes the map with a modification time {@code secondsAgo} in the past, so that each version has its own. */
    private Path write(String name, String text, int secondsAgo) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text, StandardCharsets.UTF_8);
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() - secondsAgo * 1000L));
        return file;
    }

    private static Optional<DestinationList> to(String destination) {
        return Optional.of(DestinationList.parse(destination));
    }

    private static Routing routing(Path file) {
        return Routing.parse(Optional.empty(), Optional.of(file.toString()));
    }

    @Test
    void anEditInPlaceShouldBeSeenByTheNextLookup() throws IOException {
        Path file = write("transport", "example.test lmtp:inet:127.0.0.1:2424\n", 100);
        Routing routing = routing(file);
        assertThat(routing.destinationFor("example.test")).isEqualTo(to("inet:127.0.0.1:2424"));

        write("transport", "example.test lmtp:inet:127.0.0.1:2525\nother.test inet:127.0.0.1:2626\n", 50);

        assertThat(routing.destinationFor("example.test")).isEqualTo(to("inet:127.0.0.1:2525"));
        assertThat(routing.destinationFor("other.test")).isEqualTo(to("inet:127.0.0.1:2626"));
        assertThat(routing.destinations()).hasSize(2);
    }

    @Test
    void oneMailsRecipientsShouldBeRoutedByTheMapAsItWasWhenTheMailWasTaken() throws IOException {
        Path file = write("transport", "example.test inet:127.0.0.1:2424\nother.test inet:127.0.0.1:2424\n", 100);
        Routing routing = routing(file);
        Routing forOneMail = routing.now();

        write("transport", "example.test inet:127.0.0.1:2525\nother.test inet:127.0.0.1:2525\n", 50);

        assertThat(forOneMail.destinationFor("example.test")).isEqualTo(to("inet:127.0.0.1:2424"));
        assertThat(forOneMail.destinationFor("other.test")).as("the same map for every recipient of the mail")
                .isEqualTo(to("inet:127.0.0.1:2424"));
        assertThat(routing.now().destinationFor("other.test")).as("the next mail sees the edit").isEqualTo(to("inet:127.0.0.1:2525"));
    }

    @Test
    void aReplacementByRenameShouldBeSeenByTheNextLookup() throws IOException {
        Path file = write("transport", "example.test inet:127.0.0.1:2424\n", 100);
        Routing routing = routing(file);
        Path fresh = write("transport.new", "example.test unix:/run/dovecot/lmtp\n", 100); // same time and size class: the inode tells

        Files.move(fresh, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

        assertThat(routing.destinationFor("example.test")).isEqualTo(to("unix:/run/dovecot/lmtp"));
    }

    @Test
    void aBrokenEditShouldKeepTheLastGoodMapAndNameTheLineUntilTheFileIsFixed() throws IOException {
        Path file = write("transport", "example.test inet:127.0.0.1:2424\n", 100);
        Routing routing = routing(file);

        write("transport", "example.test inet:127.0.0.1:2525\nbroken.test smtp:relay.example:25\n", 50);
        String logged = Stderr.of(() -> assertThat(routing.destinationFor("example.test")).isEqualTo(to("inet:127.0.0.1:2424")));
        String again = Stderr.of(() -> routing.destinationFor("example.test"));
        write("transport", "example.test inet:127.0.0.1:2525\n", 20);

        assertThat(logged).contains("ERROR").contains(file + ", line 2").contains("keeping the last good map (1 entries)");
        assertThat(again).as("one error per broken version, not one per lookup").doesNotContain("ERROR");
        assertThat(routing.destinationFor("example.test")).isEqualTo(to("inet:127.0.0.1:2525"));
    }

    @Test
    void aMapThatDisappearsShouldKeepTheLastGoodMap() throws IOException {
        Path file = write("transport", "example.test inet:127.0.0.1:2424\n", 100);
        Routing routing = routing(file);

        Files.delete(file);

        String logged = Stderr.of(() -> assertThat(routing.destinationFor("example.test")).isEqualTo(to("inet:127.0.0.1:2424")));
        assertThat(logged).contains("ERROR").contains("cannot be read any more");
    }

    @Test
    void aBrokenMapAtStartShouldFailNamingTheFileAndTheLine() throws IOException {
        Path file = write("transport", "# stores\nexample.test error:nope\n", 100);

        assertThatThrownBy(() -> routing(file)).isInstanceOf(ConfigurationError.class)
                .hasMessageContaining(file + ", line 2");
    }

}
