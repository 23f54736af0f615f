package dev.jameslmtp.it;

import java.nio.file.Path;

/** Working directories under the module's {@code target/it/}, one per test class and server. */
final class WorkDirs {

    private WorkDirs() {
    }

    static Path of(Class<?> testClass, String name) {
        return Path.of("target", "it", testClass.getSimpleName(), name).toAbsolutePath().normalize();
    }
}
