package dev.jameslmtp.mailet.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ids of queue items settled lately: kept across a restart, for two rotations, owner-only. */
class SettledItemsTest {

    @TempDir
    Path directory;

    @Test
    void anIdShouldBeKnownAfterARestartAndForgottenAfterTwoRotations() throws Exception {
        try (SettledItems settled = SettledItems.open(directory)) {
            settled.add("a-1");
        }
        try (SettledItems reopened = SettledItems.open(directory)) {
            assertThat(reopened.contains("a-1")).isTrue();
            reopened.rotate();
            reopened.add("b-2");
            assertThat(reopened.contains("a-1")).isTrue();
            reopened.rotate();
            assertThat(reopened.contains("a-1")).isFalse();
            assertThat(reopened.contains("b-2")).isTrue();
        }
        try (SettledItems again = SettledItems.open(directory)) {
            assertThat(again.contains("a-1")).isFalse();
            assertThat(again.contains("b-2")).isTrue();
        }
    }

    @Test
    void aLineTornByACrashAndLinesThatAreNoIdShouldBeIgnored() throws Exception {
        Files.writeString(directory.resolve(SettledItems.CURRENT), "a-1\n../etc/passwd\n\nb-2");

        try (SettledItems settled = SettledItems.open(directory)) {
            assertThat(settled.contains("a-1")).isTrue();
            assertThat(settled.contains("b-2")).isFalse();
            assertThat(settled.contains("../etc/passwd")).isFalse();
        }
    }

    @Test
    void theFileShouldBeReadableByItsOwnerOnly() throws Exception {
        try (SettledItems settled = SettledItems.open(directory)) {
            settled.add("a-1");
        }

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory.resolve(SettledItems.CURRENT))))
                .isEqualTo("rw-------");
    }
}
