package dev.jameslmtp.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Working directories of the embedded James servers and stores: where one goes ({@link #of}), and
 * wiping one before a fresh start and after the demo ({@link #delete}).
 */
public final class WorkDirectory {

    private WorkDirectory() {
    }

    /** {@code target/it/<test class>/<name>} under the module being tested: one per test class and server. */
    public static Path of(Class<?> testClass, String name) {
        return Path.of("target", "it", testClass.getSimpleName(), name).toAbsolutePath().normalize();
    }

    /** Deletes {@code dir} and everything below it; nothing when it does not exist. */
    public static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
