package dev.jameslmtp.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@code lmtp} command, one message, from process start to exit, through its launcher
 * ({@code james-lmtp-cli/src/main/sh/lmtp}, which uses the class-data sharing archive next to the
 * jar, creating it on its first run).
 */
final class CommandTiming {

    private final Path launcher;
    private final Path message;
    private final String cpu;

    CommandTiming(Path repository, Path workDir, String cpu) throws IOException {
        this.launcher = repository.resolve("james-lmtp-cli/src/main/sh/lmtp");
        this.message = workDir.resolve("one-message.eml");
        this.cpu = cpu;
        Files.write(message, Messages.of(1024));
    }

    boolean available() {
        return Files.isRegularFile(launcher) && Files.isRegularFile(launcher.getParent().resolve("../../../target/lmtp.jar").normalize());
    }

    /** One run: wall nanoseconds from start to exit; throws unless it exits 0. */
    long once(int sinkPort) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(Processes.pinned(cpu, "/bin/sh", launcher.toString(),
                "-d", "inet:[127.0.0.1]:" + sinkPort, "-f", "sender@sender.test", "-t", "user@store.test"));
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectInput(message.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("lmtp did not exit within 60 s");
        }
        long wall = System.nanoTime() - start;
        if (process.exitValue() != 0) {
            throw new IOException("lmtp exited with " + process.exitValue());
        }
        return wall;
    }
}
