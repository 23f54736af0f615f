package dev.jameslmtp.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * CPU time of groups of processes, those that have exited included: a control group of our own
 * ({@code <mount>/james-lmtp-bench-<pid>}, with one child group per name asked for) on the
 * cgroup v2 hierarchy, else on v1's {@code cpuacct} one. A process joins a group by writing its
 * pid to {@link #procs}, and its children are born in it. The kernel charges a group with every
 * nanosecond its processes and its child groups' processes ran, and keeps the charge when they
 * exit ({@code cpu.stat usage_usec} on v2, {@code cpuacct.usage} on v1), so a Postfix daemon
 * that exits after {@code max_use} requests still counts, whoever reaps it.
 *
 * <p>Requirements: Linux, root, a cgroup hierarchy mounted writable; {@link #create} says empty
 * otherwise. {@link #close} removes the groups once they are empty (bounded); a group a process
 * still holds is left behind and named on standard error.
 */
final class CpuGroups implements AutoCloseable {

    private final Path root;
    private final boolean v2;
    private final List<String> children;

    private CpuGroups(Path root, boolean v2, List<String> children) {
        this.root = root;
        this.v2 = v2;
        this.children = children;
    }

    /** A group with the given child groups, or empty when no hierarchy lets us make one. */
    static Optional<CpuGroups> create(List<String> children) {
        List<String> mounts;
        try {
            mounts = Files.readAllLines(Path.of("/proc/self/mounts"), StandardCharsets.ISO_8859_1);
        } catch (IOException notLinux) {
            return Optional.empty();
        }
        List<String[]> candidates = new ArrayList<>(); // {mount point, "v2" or "v1"}, v2 first
        for (String line : mounts) {
            String[] f = line.split(" ");
            if (f.length > 3 && f[2].equals("cgroup2")) {
                candidates.add(0, new String[] {f[1], "v2"});
            } else if (f.length > 3 && f[2].equals("cgroup") && List.of(f[3].split(",")).contains("cpuacct")) {
                candidates.add(new String[] {f[1], "v1"});
            }
        }
        for (String[] candidate : candidates) {
            boolean v2 = candidate[1].equals("v2");
            Path root = Path.of(candidate[0], "james-lmtp-bench-" + ProcessHandle.current().pid());
            try {
                Files.createDirectories(root);
                for (String child : children) {
                    Files.createDirectories(root.resolve(child));
                }
                CpuGroups groups = new CpuGroups(root, v2, List.copyOf(children));
                if (groups.nanos("") >= 0) {
                    return Optional.of(groups);
                }
                groups.close();
            } catch (IOException | RuntimeException notWritable) {
                // read-only mount or not root: try the next hierarchy
            }
        }
        return Optional.empty();
    }

    /** The file a process writes its pid to, to join {@code child} ("" for the group itself). */
    Path procs(String child) {
        return root.resolve(child).resolve("cgroup.procs");
    }

    /** CPU time charged to {@code child} ("" for the group and every child), in nanoseconds; -1 when unreadable. */
    long nanos(String child) {
        try {
            Path dir = root.resolve(child);
            if (!v2) {
                return Long.parseLong(Files.readString(dir.resolve("cpuacct.usage")).strip());
            }
            for (String line : Files.readAllLines(dir.resolve("cpu.stat"))) {
                if (line.startsWith("usage_usec ")) {
                    return Long.parseLong(line.substring("usage_usec ".length()).strip()) * 1000;
                }
            }
            return -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** Where the group lives, and on which hierarchy, for the table's notes. */
    String describe() {
        return (v2 ? "cgroup v2 cpu.stat usage_usec" : "cgroup v1 cpuacct.usage") + " of " + root;
    }

    /** Removes the child groups and the group, waiting up to 10 s for their processes to go. */
    @Override
    public void close() {
        List<Path> dirs = new ArrayList<>();
        children.forEach(child -> dirs.add(root.resolve(child)));
        dirs.add(root);
        long deadline = System.nanoTime() + 10_000_000_000L;
        for (Path dir : dirs) {
            while (true) {
                try {
                    Files.deleteIfExists(dir); // rmdir: a cgroup's files go with it
                    break;
                } catch (IOException busy) {
                    if (System.nanoTime() > deadline) {
                        System.err.println("cgroup " + dir + " still holds processes; left behind: " + busy);
                        break;
                    }
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }
}
