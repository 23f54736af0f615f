package dev.jameslmtp.cli;

import static dev.jameslmtp.cli.CommandRun.command;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.testing.CyrusLmtpServer;
import dev.jameslmtp.testing.TestCertificates;

/**
 * The command with {@code -a} against a real Cyrus lmtpd, which requires AUTH: the tutorial's
 * example as written (user {@code $USER}, password from {@code $LMTP_PASSWORD}), {@code --user}
 * with a typed password, STARTTLS verified against the test CA with {@code -v} showing the TLS
 * protocol and the mechanism, a password map, a {@code -C} file, and a wrong password. The message
 * lands in the Cyrus mailbox; no password reaches stdout or stderr.
 */
class CyrusCommandTest {

    private static final String PASSWORD = "cli-nOt4LoGs:p w";
    private static final Path WORK = Path.of("target", "cyrus-cli").toAbsolutePath();
    private static CyrusLmtpServer cyrus;
    private static Path ca;

    @BeforeAll
    static void startCyrus() throws IOException {
        TestCertificates.Authority authority = TestCertificates.authority("lmtp command test CA");
        cyrus = CyrusLmtpServer.start(WORK.resolve("cyrus"),
                CyrusLmtpServer.Options.of(PASSWORD, "recipient", "bob").withTls(authority.issue("localhost", "127.0.0.1")));
        ca = WORK.resolve("ca.pem");
        authority.writeCertificatePem(ca);
    }

    @AfterAll
    static void stopCyrus() {
        if (cyrus != null) {
            cyrus.close();
        }
    }

    private static String destination(int port) {
        return "inet:[127.0.0.1]:" + port;
    }

    private static String subject() {
        return "cli-" + UUID.randomUUID();
    }

    private static long stored(String user, String subject) {
        return cyrus.messages(user).stream().filter(m -> m.contains("Subject: " + subject + "\r\n")).count();
    }

    private static void assertNoPassword(CommandRun.Result result) {
        assertThat(result.out() + result.err()).doesNotContain("nOt4LoGs");
    }

    @Test
    void tutorialAuthExampleShouldDeliverIntoCyrus() {
        // echo "Subject: Test Email" | lmtp -a -f user@example.com -t recipient@example.com
        String subject = subject();
        CommandRun.Result result = command().stdin("Subject: " + subject + "\n")
                .destination(destination(cyrus.port()))
                .env("USER", CyrusLmtpServer.ADMIN).env("LMTP_PASSWORD", PASSWORD)
                .run("-a", "-f", "user@example.com", "-t", "recipient@example.com");

        assertThat(result.status()).as(result.toString()).isZero();
        assertThat(result.outLines()).singleElement().asString().startsWith("recipient@example.com  delivered  250  2.1.5");
        assertThat(stored("recipient", subject)).isEqualTo(1);
        assertNoPassword(result);
    }

    @Test
    void typedPasswordAndVerifiedStartTlsShouldDeliverAndShowTheSession() {
        String subject = subject();
        CommandRun.Result result = command().stdin("Subject: " + subject + "\n")
                .prompt(prompt -> java.util.Optional.of(PASSWORD.toCharArray()))
                .run("-v", "-a", "--user", CyrusLmtpServer.ADMIN, "--tls", "verify", "--tls-ca", ca.toString(),
                        "-d", destination(cyrus.strictPort()), "-f", "user@example.com", "bob@example.com");

        assertThat(result.status()).as(result.toString()).isZero();
        assertThat(result.errLines()).contains("C: STARTTLS", "C: AUTH SCRAM-SHA-256 ****")
                .anySatisfy(line -> assertThat(line).matches("lmtp: session: TLSv1\\.[23] \\S+, AUTH SCRAM-SHA-256 as lmtpadmin"));
        assertThat(stored("bob", subject)).isEqualTo(1);
        assertNoPassword(result);
    }

    @Test
    void passwordMapEntryShouldBeUsedWithPlainAfterAVerifiedStartTls() throws IOException {
        Path map = WORK.resolve("sasl_passwd");
        Files.writeString(map, "[127.0.0.1]:" + cyrus.strictPort() + " " + CyrusLmtpServer.ADMIN + ":" + PASSWORD + "\n");
        Files.setPosixFilePermissions(map, PosixFilePermissions.fromString("rw-------"));
        String subject = subject();

        CommandRun.Result result = command().stdin("Subject: " + subject + "\n")
                .run("-v", "--password-map", map.toString(), "--sasl-mechanisms", "PLAIN", "--tls", "verify", "--tls-ca", ca.toString(),
                        "-d", destination(cyrus.strictPort()), "bob@example.com");

        assertThat(result.status()).as(result.toString()).isZero();
        assertThat(result.errLines()).contains("C: AUTH PLAIN ****");
        assertThat(stored("bob", subject)).isEqualTo(1);
        assertNoPassword(result);
    }

    @Test
    void configFileShouldCarryTheSecuritySettings() throws IOException {
        Path config = WORK.resolve("lmtp.conf");
        Files.writeString(config, "destination = " + destination(cyrus.strictPort()) + "\nuser = " + CyrusLmtpServer.ADMIN
                + "\ntls = verify\ntls-ca = " + ca + "\nrequire-auth = yes\n");
        String subject = subject();

        CommandRun.Result result = command().stdin("Subject: " + subject + "\n").env("LMTP_PASSWORD", PASSWORD)
                .run("-C", config.toString(), "bob@example.com");

        assertThat(result.status()).as(result.toString()).isZero();
        assertThat(stored("bob", subject)).isEqualTo(1);
    }

    @Test
    void wrongPasswordShouldDeferWithExit75AndStoreNothing() {
        String subject = subject();
        CommandRun.Result result = command().stdin("Subject: " + subject + "\n").env("LMTP_PASSWORD", "wrong-nOt4LoGs")
                .run("--user", CyrusLmtpServer.ADMIN, "-d", destination(cyrus.port()), "bob@example.com");

        assertThat(result.status()).as(result.toString()).isEqualTo(ExitStatus.TEMPFAIL);
        assertThat(result.out()).matches("(?s)bob@example.com +deferred +501 +4\\.5\\.4 +SASL authentication to .* failed: .*");
        assertThat(stored("bob", subject)).isZero();
        assertNoPassword(result);
    }
}
