package dev.jameslmtp.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/** Operating-system chores of {@link DovecotLmtpServer}: users and ownership, stopping the process tree. */
final class DovecotProcesses {

    /** The Debian system user that owns the mail when the tests run as root (base-passwd: uid 8). */
    static final String ROOT_MAIL_USER = "mail";

    private DovecotProcesses() {
    }

    /**
     * As root: mail stored as system user {@value #ROOT_MAIL_USER}, Dovecot's internal processes as
     * the packaged {@code dovecot}/{@code dovenull} users. Otherwise: everything as the current user.
     */
    static DovecotConfig.Identity identity() throws IOException {
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        if (uid != 0) {
            int gid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:gid");
            String name = System.getProperty("user.name");
            return new DovecotConfig.Identity(uid, gid, name, name);
        }
        for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
            String[] fields = line.split(":");
            if (fields.length > 3 && fields[0].equals(ROOT_MAIL_USER)) {
                return new DovecotConfig.Identity(Integer.parseInt(fields[2]), Integer.parseInt(fields[3]),
                        "dovecot", "dovenull");
            }
        }
        throw new IllegalStateException("system user '" + ROOT_MAIL_USER + "' not found in /etc/passwd; "
                + "it comes with Debian's base-passwd (see .ci/run)");
    }

    /** Makes {@code dir} owned by the mail uid/gid, so that Dovecot can create the Maildirs in it. */
    static void giveMailDirectory(Path dir, DovecotConfig.Identity identity) throws IOException {
        Files.setAttribute(dir, "unix:uid", identity.mailUid());
        Files.setAttribute(dir, "unix:gid", identity.mailGid());
    }

    /**
     * SIGTERM to the master (it stops its children), then SIGTERM and at last SIGKILL to every
     * descendant still alive. Each wait is bounded by {@code timeout}.
     */
    static void stop(Process process, Duration timeout) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        if (!awaitExit(process.toHandle(), timeout)) {
            process.destroyForcibly();
            awaitExit(process.toHandle(), timeout);
        }
        descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroy);
        for (ProcessHandle child : descendants) {
            if (!awaitExit(child, timeout)) {
                child.destroyForcibly();
                awaitExit(child, timeout);
            }
        }
    }

    /**
     * SIGKILL to the process group that {@code process} leads (started under {@code setsid}), then
     * to any descendant outside it; waits, bounded by {@code timeout}, until no process of the
     * group is left.
     */
    static void killGroup(Process process, Duration timeout) {
        List<ProcessHandle> descendants = process.descendants().toList();
        long group = process.pid();
        try {
            Process kill = new ProcessBuilder("/bin/kill", "-KILL", "--", "-" + group)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!kill.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill.destroyForcibly();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run /bin/kill", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        awaitExit(process.toHandle(), timeout);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (groupAlive(group) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (groupAlive(group)) {
            throw new IllegalStateException("processes of group " + group + " still alive " + timeout + " after SIGKILL");
        }
    }

    /** Whether a process of that group is alive (a zombie counts as gone), from {@code /proc/<pid>/stat}. */
    private static boolean groupAlive(long group) {
        return ProcessHandle.allProcesses().anyMatch(handle -> {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(handle.pid()), "stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return !fields[0].equals("Z") && Long.parseLong(fields[2]) == group;
            } catch (IOException | RuntimeException e) {
                return false; // gone meanwhile
            }
        });
    }

    private static boolean awaitExit(ProcessHandle handle, Duration timeout) {
        if (!handle.isAlive()) {
            return true;
        }
        try {
            handle.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            return !handle.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !handle.isAlive();
        }
    }

    /** Deletes a directory tree if it exists. */
    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
