package dev.jameslmtp.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The release archive as an operator meets it: unpacked anywhere, {@code bin/lmtp --help} and {@code man -l} work from there. */
class ReleaseArchiveIT {

    @TempDir
    Path unpacked;

    private static final Path ARCHIVE = Path.of(System.getProperty("release.archive", "target/missing.tar.gz"));
    private static final String VERSION = System.getProperty("release.version", "?");

    private record Run(int status, String output) {
    }

    private static Run run(Path directory, List<String> command) throws IOException, InterruptedException {
        return run(directory, command, Map.of());
    }

    private static Run run(Path directory, List<String> command, Map<String, String> environment) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
        builder.environment().putAll(environment);
        builder.environment().put("MANPAGER", "cat");
        builder.environment().put("MANWIDTH", "100");
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not end in 60 s");
        }
        return new Run(process.exitValue(), output);
    }

    private Path unpack() throws Exception {
        Run tar = run(unpacked, List.of("tar", "-xzf", ARCHIVE.toAbsolutePath().toString()));
        assertThat(tar.status()).as(tar.output()).isZero();
        return unpacked.resolve("james-lmtp-" + VERSION);
    }

    @Test
    void theArchiveShouldHoldWhatAnOperatorInstalls() throws Exception {
        Path home = unpack();

        assertThat(home.resolve("extensions-jars/james-lmtp-mailet-" + VERSION + "-extension.jar")).isRegularFile();
        assertThat(home.resolve("lib/lmtp.jar")).isRegularFile();
        assertThat(home.resolve("share/man/man1/lmtp.1")).isRegularFile();
        assertThat(home.resolve("conf-samples/mailetcontainer-transport.xml")).content().contains("dev.jameslmtp.mailet.LmtpDelivery");
        assertThat(home.resolve("conf-samples/smtpserver-handlerchain.xml")).content().contains("dev.jameslmtp.smtp.VerifyRecipientInStore");
        assertThat(home.resolve("conf-samples/healthcheck-lines.properties")).content()
                .contains("additional.healthchecks=dev.jameslmtp.mailet.health.LmtpStoresHealthCheck");
        assertThat(home.resolve("conf-samples/webadmin-lines.properties")).content()
                .contains("extensions.routes=dev.jameslmtp.mailet.health.LmtpStoresRoutes,dev.jameslmtp.mailet.queue.LmtpQueuesRoutes");
        assertThat(home.resolve("LICENSE")).content().contains("Apache License");
        assertThat(home.resolve("NOTICE")).content().contains("junixsocket");
        assertThat(Files.getPosixFilePermissions(home.resolve("bin/lmtp"))).contains(PosixFilePermission.OWNER_EXECUTE,
                PosixFilePermission.OTHERS_EXECUTE);
    }

    @Test
    void binLmtpShouldRunFromTheUnpackedArchive() throws Exception {
        Path home = unpack();

        Run help = run(home, List.of(home.resolve("bin/lmtp").toString(), "--help"));
        Run version = run(home, List.of(home.resolve("bin/lmtp").toString(), "--version"));

        assertThat(help.status()).as(help.output()).isZero();
        assertThat(help.output()).contains("Usage: lmtp").contains("--destination");
        assertThat(version.output()).contains("lmtp (james-lmtp) " + VERSION);
    }

    @Test
    void theManualPageShouldBeReadByMan() throws Exception {
        Path home = unpack();

        Run man = run(home, List.of("man", "-l", home.resolve("share/man/man1/lmtp.1").toString()));

        assertThat(man.status()).as(man.output()).isZero();
        assertThat(man.output()).contains("LMTP(1)").contains("NAME").contains("SYNOPSIS").contains("--sasl-tls-security-options")
                .contains("EX_USAGE").doesNotContain("\\-");
    }

    /**
     * The launcher's class-data archive covers the command's own classes wherever the command is
     * started from: the release's, written by its first run, and the build's (target/lmtp.jsa, used
     * by the launcher in the source tree), which named the jar by a relative path before, so that
     * the JVM used it for the JDK's classes only.
     */
    @Test
    void theCommandsClassesShouldComeFromTheClassDataArchiveWhereverTheCommandStarts() throws Exception {
        Path home = unpack();
        assertThat(run(home, List.of(home.resolve("bin/lmtp").toString(), "--version")).status()).isZero();
        assertThat(home.resolve("lib/lmtp.jsa")).as("written by the first run").isRegularFile();
        Path launchers = Path.of("../james-lmtp-cli/src/main/sh/lmtp").toAbsolutePath().normalize();

        for (Path launcher : List.of(home.resolve("bin/lmtp"), launchers)) {
            Path loaded = unpacked.resolve("classes-" + launcher.getNameCount() + ".log");
            Run version = run(unpacked.getRoot(), List.of("/bin/sh", launcher.toString(), "--version"),
                    Map.of("LMTP_JAVA_OPTS", "-Xlog:class+load=info:file=" + loaded));

            assertThat(version.status()).as(version.output()).isZero();
            assertThat(Files.readAllLines(loaded)).as(launcher.toString())
                    .anyMatch(line -> line.contains("dev.jameslmtp.cli.LmtpCommand source: shared objects file"));
        }
    }
}
