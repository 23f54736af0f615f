package dev.jameslmtp.client.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.jameslmtp.client.Destination;
import dev.jameslmtp.testing.Stderr;

/** The password map file is read again when it changes, and a broken change keeps the last good map. */
class PasswordMapFileTest {

    private static final Destination STORE = Destination.parse("inet:[127.0.0.1]:2424");

    @TempDir
    Path directory;

    private Path write(String name, String text, int secondsAgo) throws IOException {
        Path file = directory.resolve(name);
        Files.writeString(file, text);
        // a distinct modification time for each version, whatever the file system's resolution
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(secondsAgo)));
        return file;
    }

    @Test
    void openShouldFailNamingTheFileWhenItIsMissingOrMalformed() {
        assertThatThrownBy(() -> PasswordMapFile.open(directory.resolve("absent"), () -> "me"))
                .isInstanceOf(PasswordMapException.class).hasMessageContaining("absent: no such file");
        assertThatThrownBy(() -> PasswordMapFile.open(write("broken", "[127.0.0.1]:2424 nocolon\n", 10), () -> "me"))
                .hasMessageContaining("broken, line 1");
    }

    @Test
    void aMapThatOthersMayReadShouldBeReportedByNameButStillUsed() throws IOException {
        Path file = write("sasl_passwd", "[127.0.0.1]:2424 alice:s3cr3t-nOt4LoGs\n", 10);
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        java.util.concurrent.atomic.AtomicReference<PasswordMapFile> map = new java.util.concurrent.atomic.AtomicReference<>();

        String logged = Stderr.of(() -> map.set(PasswordMapFile.open(file, () -> "me")));

        assertThat(logged).contains("WARN").contains(file.toString()).contains("chmod 600").doesNotContain("nOt4LoGs");
        assertThat(map.get().forDestination(STORE)).isPresent();
    }

    @Test
    void openShouldRefuseAMapThatGroupOrOthersMayWriteNamingTheFileAndTheAcceptedMode() throws IOException {
        for (String mode : List.of("rw-rw----", "rw----rw-", "rw-rw-rw-")) {
            Path file = write("sasl_passwd", "[127.0.0.1]:2424 alice:s3cr3t-nOt4LoGs\n", 10);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));

            assertThatThrownBy(() -> PasswordMapFile.open(file, () -> "me"))
                    .as(mode).isInstanceOf(PasswordMapException.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining("written by group or others")
                    .hasMessageContaining("chmod 600").hasMessageNotContaining("nOt4LoGs");
        }
    }

    @Test
    void aMapOnlyItsOwnerMayReadShouldOpenWithoutWarning() throws IOException {
        Path file = write("sasl_passwd", "[127.0.0.1]:2424 alice:s3cr3t-nOt4LoGs\n", 10);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

        String logged = Stderr.of(() -> assertThat(PasswordMapFile.open(file, () -> "me").forDestination(STORE)).isPresent());

        assertThat(logged).doesNotContain("WARN");
    }

    @Test
    void aChangeThatMakesTheMapWritableByOthersShouldKeepTheLastGoodMap() throws IOException {
        Path file = write("sasl_passwd", "[127.0.0.1]:2424 alice:good\n", 100);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        PasswordMapFile map = PasswordMapFile.open(file, () -> "me");

        write("sasl_passwd", "[127.0.0.1]:2424 alice:planted\n", 50);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
        String logged = Stderr.of(() -> assertThat(map.forDestination(STORE)).hasValue(Credentials.of("alice", "good")));

        assertThat(logged).contains("ERROR").contains("written by group or others").contains("keeping the last good map")
                .doesNotContain("planted");
    }

    @Test
    void aChmodAloneShouldBeSeenByTheNextLookup() throws IOException {
        Path file = write("sasl_passwd", "[127.0.0.1]:2424 alice:good\n", 100);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        PasswordMapFile map = PasswordMapFile.open(file, () -> "me");

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
        String opened = Stderr.of(() -> assertThat(map.forDestination(STORE)).hasValue(Credentials.of("alice", "good")));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        String closed = Stderr.of(() -> assertThat(map.forDestination(STORE)).hasValue(Credentials.of("alice", "good")));

        assertThat(opened).as("made writable by others, content unchanged").contains("ERROR").contains("written by group or others");
        assertThat(closed).as("made private again: the file is the last good one").doesNotContain("ERROR");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw--w----"));
        assertThat(Stderr.of(() -> map.forDestination(STORE))).as("writable by its group").contains("written by group or others");
    }


    @Test
    void anEditInPlaceShouldBeSeenByTheNextLookup() throws IOException {
        Path file = write("sasl_passwd", "[127.0.0.1]:2424 alice:old\n", 100);
        PasswordMapFile map = PasswordMapFile.open(file, () -> "me");
        assertThat(map.forDestination(STORE)).hasValue(Credentials.of("alice", "old"));

        write("sasl_passwd", "[127.0.0.1]:2424 alice:new\n", 50);

        assertThat(map.forDestination(STORE)).hasValue(Credentials.of("alice", "new"));
    }

    @Test
    void aReplacementByRenameShouldBeSeenByTheNextLookup() throws IOException {
        Path file = write("sasl_passwd", "[127.0.0.1]:2424 alice:old\n", 100);
        PasswordMapFile map = PasswordMapFile.open(file, () -> "me");

        Path replacement = write("sasl_passwd.tmp", "[127.0.0.1]:2424 alice:renamed\n", 100);
        Files.move(replacement, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

        assertThat(map.forDestination(STORE)).hasValue(Credentials.of("alice", "renamed"));
    }

    @Test
    void aBrokenChangeShouldKeepTheLastGoodMapUntilTheFileIsFixed() throws IOException {
        Path file = write("sasl_passwd", "[127.0.0.1]:2424 alice:good\n", 100);
        PasswordMapFile map = PasswordMapFile.open(file, () -> "me");

        write("sasl_passwd", "[127.0.0.1]:2424 alice-without-password\n", 50);
        assertThat(map.forDestination(STORE)).hasValue(Credentials.of("alice", "good"));

        Files.delete(file);
        assertThat(map.forDestination(STORE)).hasValue(Credentials.of("alice", "good"));

        write("sasl_passwd", "[127.0.0.1]:2424 alice:fixed\n", 10);
        assertThat(map.forDestination(STORE)).hasValue(Credentials.of("alice", "fixed"));
    }
}
