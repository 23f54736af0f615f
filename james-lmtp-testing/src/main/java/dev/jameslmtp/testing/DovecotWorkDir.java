package dev.jameslmtp.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/** The work directory of a {@link DovecotLmtpServer}: cleaned of a previous run, and where each thing goes. */
final class DovecotWorkDir {

    /** UNIX socket paths are limited to 107 bytes. */
    static final int MAX_SOCKET_PATH = 100;

    private DovecotWorkDir() {
    }

    /** Cleans what a previous run left in workDir and decides where everything goes. */
    static DovecotConfig.Layout prepare(Path workDir, DovecotConfig.Identity identity) throws IOException {
        for (char c : workDir.toString().toCharArray()) {
            if (Character.isWhitespace(c) || c == '%' || c == '"' || c == '#' || c == ':') {
                throw new IllegalArgumentException("workDir must not contain whitespace, %, \", # or ':' "
                        + "(Dovecot configuration syntax): " + workDir);
            }
        }
        Files.createDirectories(workDir);
        for (String stale : List.of("mail", "run", "state")) {
            DovecotProcesses.deleteTree(workDir.resolve(stale));
        }
        for (String stale : List.of("dovecot.log", "dovecot.out", "lmtp.sock", "users", "users.new")) {
            Files.deleteIfExists(workDir.resolve(stale));
        }
        Files.setPosixFilePermissions(workDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(workDir.resolve("state"));

        // Unprivileged Dovecot processes read the passwd-file and write the Maildirs: if they
        // cannot enter workDir (e.g. a checkout under /root), those go to a private /tmp directory.
        // UNIX socket paths are limited to 107 bytes: if workDir is deep, so do the sockets.
        boolean enterable = othersCanEnter(workDir.getParent());
        boolean shallow = workDir.resolve("run").toString().length() <= MAX_SOCKET_PATH - 30;
        Path privateDir = enterable && shallow ? null : Files.createTempDirectory(Path.of("/tmp"), "dovecot-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path shared = enterable ? workDir : privateDir;
        Path baseDir = Files.createDirectories((shallow ? workDir : privateDir).resolve("run"));
        Path lmtpSocket = workDir.resolve("lmtp.sock");
        if (lmtpSocket.toString().length() > MAX_SOCKET_PATH) {
            lmtpSocket = baseDir.resolve("lmtp-listener");
        }
        DovecotConfig.Layout layout = new DovecotConfig.Layout(workDir, shared, baseDir, lmtpSocket, privateDir);
        DovecotProcesses.giveMailDirectory(Files.createDirectories(layout.mailRoot()), identity);
        return layout;
    }

    private static boolean othersCanEnter(Path dir) throws IOException {
        for (Path d = dir; d != null; d = d.getParent()) {
            if (!Files.getPosixFilePermissions(d).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                return false;
            }
        }
        return true;
    }
}
