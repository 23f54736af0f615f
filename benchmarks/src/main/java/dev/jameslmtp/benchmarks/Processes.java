package dev.jameslmtp.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The operating system side: which tools exist, CPU pinning with taskset, and CPU time of this
 * JVM or of a process tree from {@code /proc} (Linux).
 */
final class Processes {

    private static final long TICK_NANOS = 10_000_000L; // USER_HZ = 100 on Linux

    private Processes() {
    }

    static boolean installed(String tool) {
        for (String dir : new String[] {"/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"}) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    static String which(String tool) {
        for (String dir : new String[] {"/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"}) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return Path.of(dir, tool).toString();
            }
        }
        throw new IllegalStateException(tool + " is not installed");
    }

    /** {@code taskset -c cpu command...} when taskset exists and a CPU is given, else the command. */
    static List<String> pinned(String cpu, String... command) {
        List<String> line = new ArrayList<>();
        if (cpu != null && installed("taskset")) {
            line.add(which("taskset"));
            line.add("-c");
            line.add(cpu);
        }
        line.addAll(List.of(command));
        return line;
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** CPU time of this JVM, all threads. */
    static long jvmCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * CPU time of {@code root} and every live descendant (user + system), plus what {@code root}
     * collected from children that exited; -1 when {@code /proc} cannot be read.
     */
    static long treeCpuNanos(long root) {
        Map<Long, long[]> stats = new HashMap<>(); // pid -> {ppid, utime+stime, cutime+cstime}
        try (var dirs = Files.list(Path.of("/proc"))) {
            for (Path dir : (Iterable<Path>) dirs::iterator) {
                String name = dir.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String stat = Files.readString(dir.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    stats.put(Long.parseLong(name), new long[] {Long.parseLong(f[1]),
                            Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[13]) + Long.parseLong(f[14])});
                } catch (IOException | RuntimeException gone) {
                    // the process exited meanwhile
                }
            }
        } catch (IOException e) {
            return -1;
        }
        if (!stats.containsKey(root)) {
            return -1;
        }
        long ticks = stats.get(root)[2];
        for (Map.Entry<Long, long[]> entry : stats.entrySet()) {
            if (descends(entry.getKey(), root, stats)) {
                ticks += entry.getValue()[1];
            }
        }
        return ticks * TICK_NANOS;
    }

    private static boolean descends(long pid, long root, Map<Long, long[]> stats) {
        for (int depth = 0; depth < 16 && pid > 1; depth++) {
            if (pid == root) {
                return true;
            }
            long[] stat = stats.get(pid);
            if (stat == null) {
                return false;
            }
            pid = stat[0];
        }
        return pid == root;
    }

    /** Deletes {@code dir} and everything under it, if it exists. */
    static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path path : (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
                    Files.delete(path);
                }
            }
        }
    }

    /** Runs a command to its end (bounded) and returns its standard output; a non-zero exit status throws, with its errors. */
    static String output(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        Path out = Files.createTempFile("benchmark", ".out");
        Path err = Files.createTempFile("benchmark", ".err");
        try {
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(timeoutSeconds, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("timed out after " + timeoutSeconds + " s: " + String.join(" ", command));
            }
            if (process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " exited with " + process.exitValue() + ": " + Files.readString(err).strip());
            }
            return Files.readString(out);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Runs a command to its end (bounded), returning its exit status; output goes to {@code log}. */
    static int run(Path log, long timeoutSeconds, List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!process.waitFor(timeoutSeconds, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("timed out after " + timeoutSeconds + " s: " + String.join(" ", command));
        }
        return process.exitValue();
    }
}
