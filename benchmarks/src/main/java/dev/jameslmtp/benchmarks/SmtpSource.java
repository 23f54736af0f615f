package dev.jameslmtp.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Postfix's {@code smtp-source}, the reference client and the SMTP feeder, pinned to a CPU and
 * run under {@code /usr/bin/time} for its CPU time.
 */
final class SmtpSource {

    private final Path workDir;
    private final String cpu;

    SmtpSource(Path workDir, String cpu) {
        this.workDir = workDir;
        this.cpu = cpu;
    }

    static boolean available() {
        return Processes.installed("smtp-source");
    }

    /**
     * Sends {@code messages} messages of {@code payload} bytes over {@code sessions} sessions.
     *
     * @param lmtp  {@code -L}: speak LMTP (the reference client) rather than SMTP (the feeder)
     * @param reuse {@code -d}: keep each session for many messages
     */
    Measurement run(int port, int sessions, long messages, int payload, boolean lmtp, boolean reuse)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>();
        args.add(Processes.which("smtp-source"));
        if (lmtp) {
            args.add("-L");
        }
        if (reuse) {
            args.add("-d");
        }
        args.addAll(List.of("-s", Integer.toString(sessions), "-m", Long.toString(messages), "-l", Integer.toString(payload),
                "-f", "sender@sender.test", "-t", "user@store.test", "127.0.0.1:" + port));
        Path times = Files.createTempFile(workDir, "time", ".txt");
        List<String> command = new ArrayList<>();
        if (Processes.installed("time")) {
            command.addAll(List.of(Processes.which("time"), "-o", times.toString(), "-f", "%U %S"));
        }
        command.addAll(args);
        long start = System.nanoTime();
        int status = Processes.run(workDir.resolve("smtp-source.log"), 3600, Processes.pinned(cpu, command.toArray(String[]::new)));
        long wall = System.nanoTime() - start;
        if (status != 0) {
            throw new IOException("smtp-source exited with " + status + "; see " + workDir.resolve("smtp-source.log"));
        }
        long cpuNanos = -1;
        String[] userSystem = Files.readString(times).strip().split("\\s+");
        if (userSystem.length == 2) {
            cpuNanos = (long) ((Double.parseDouble(userSystem[0]) + Double.parseDouble(userSystem[1])) * 1e9);
        }
        Files.deleteIfExists(times);
        return new Measurement(messages, wall, cpuNanos, 0, 0);
    }
}
