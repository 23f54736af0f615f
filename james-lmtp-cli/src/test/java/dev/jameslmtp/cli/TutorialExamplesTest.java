package dev.jameslmtp.cli;

import static dev.jameslmtp.cli.CommandRun.command;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jameslmtp.client.LmtpClient;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every example command of the tutorial the command follows, written exactly as there, run
 * against a {@link FakeLmtpServer} named by {@code $LMTP_DESTINATION} (the tutorial gives no
 * destination), plus the two meanings of {@code -d}, bare recipients, {@code -s}/{@code -p} and
 * {@code -C} precedence.
 */
class TutorialExamplesTest {

    private static final String UUENCODED = "begin 644 attachment.txt\n"
            + "M5&AI<R!I<R!A;B!A='1A8VAM96YT+\"!S96YT('=I=&@@;&UT<\"X*\n"
            + "`\nend\n";

    private FakeLmtpServer server;
    private FakeLmtpServer other;
    private String destination;

    @TempDir
    Path dir;

    @BeforeEach
    void startServer() {
        server = FakeLmtpServer.start(LmtpHandler.defaults());
        destination = "inet:127.0.0.1:" + server.port();
    }

    @AfterEach
    void stopServers() {
        server.close();
        if (other != null) {
            other.close();
        }
    }

    @Test
    void sendASimpleEmail() {
        // echo "Subject: Test Email" | lmtp -f user@example.com -t recipient@example.com
        CommandRun.Result result = command().stdin("Subject: Test Email\n").destination(destination)
                .run("-f", "user@example.com", "-t", "recipient@example.com");

        assertThat(result.status()).as(result.toString()).isZero();
        assertThat(result.outLines()).containsExactly(
                "recipient@example.com  delivered  250  2.0.0  <recipient@example.com> Saved");
        assertThat(result.err()).isEmpty();
        assertThat(server.commands(0)).contains("MAIL FROM:<user@example.com>", "RCPT TO:<recipient@example.com>");
        assertThat(new String(server.bodies(0).get(0), StandardCharsets.US_ASCII)).isEqualTo("Subject: Test Email\r\n");
    }

    @Test
    void sendAnEmailWithAttachments() {
        // uuencode attachment.txt attachment.txt | lmtp -f user@example.com -t recipient@example.com
        CommandRun.Result result = command().stdin(UUENCODED).destination(destination)
                .run("-f", "user@example.com", "-t", "recipient@example.com");

        assertThat(result.status()).as(result.toString()).isZero();
        assertThat(new String(server.bodies(0).get(0), StandardCharsets.US_ASCII))
                .isEqualTo(UUENCODED.replace("\n", "\r\n"));
    }

    @Test
    void authenticateWithAPassword() {
        // echo "Subject: Test Email" | lmtp -a -f user@example.com -t recipient@example.com
        // (the user is $USER, the password $LMTP_PASSWORD or typed on the terminal: here typed)
        server.close();
        server = FakeLmtpServer.start(new LmtpHandler() {
            @Override
            public java.util.List<String> capabilities() {
                return java.util.List.of("PIPELINING", "ENHANCEDSTATUSCODES", "AUTH CRAM-MD5");
            }

            @Override
            public dev.jameslmtp.testing.Response auth(String args) {
                return dev.jameslmtp.testing.Response.reply("334 PDEyMzQ1QGZha2UudGVzdD4="); // <12345@fake.test>
            }

            @Override
            public dev.jameslmtp.testing.Response authContinuation(String line, int step) {
                // tester + HMAC-MD5("typed-nOt4LoGs", "<12345@fake.test>"), as computed by the command
                return line.startsWith(java.util.Base64.getEncoder().encodeToString("tester ".getBytes(StandardCharsets.US_ASCII)).substring(0, 8))
                        ? dev.jameslmtp.testing.Response.reply("235 2.7.0 Authentication successful")
                        : dev.jameslmtp.testing.Response.reply("535 5.7.8 Authentication credentials invalid");
            }
        });
        CommandRun.Result result = command().destination("inet:127.0.0.1:" + server.port())
                .prompt(prompt -> java.util.Optional.of("typed-nOt4LoGs".toCharArray()))
                .run("-a", "-f", "user@example.com", "-t", "recipient@example.com");

        assertThat(result.status()).as(result.toString()).isZero();
        assertThat(server.commands(0)).contains("AUTH CRAM-MD5", "RCPT TO:<recipient@example.com>");
        assertThat(result.err()).doesNotContain("nOt4LoGs");
    }

    @Test
    void specifyTheLmtpServer() {
        // echo "Subject: Test Email" | lmtp -s mail.example.com -f user@example.com -t recipient@example.com
        // (mail.example.com is not ours: the same form with this test's server, and -p for its port)
        CommandRun.Result result = command().run("-s", "127.0.0.1", "-p", Integer.toString(server.port()),
                "-f", "user@example.com", "-t", "recipient@example.com");

        assertThat(result.status()).as(result.toString()).isZero();
        assertThat(server.connectionCount()).isEqualTo(1);
    }

    @Test
    void enableDebuggingWithDashDBeforeAnOption() {
        // echo "Subject: Test Email" | lmtp -d -f user@example.com -t recipient@example.com
        CommandRun.Result result = command().destination(destination)
                .run("-d", "-f", "user@example.com", "-t", "recipient@example.com");

        assertThat(result.status()).as(result.toString()).isZero();
        assertThat(result.errLines()).startsWith("S: 220 fake.test LMTP ready", "C: LHLO " + LmtpClient.localHostName())
                .contains("C: MAIL FROM:<user@example.com>", "C: RCPT TO:<recipient@example.com>", "C: .", "C: QUIT");
        assertThat(result.outLines()).hasSize(1);
    }

    @Test
    void dashDAtTheEndShouldAlsoMeanDebug() {
        CommandRun.Result result = command().destination(destination).run("-f", "user@example.com", "-t", "r@example.com", "-d");

        assertThat(result.status()).isZero();
        assertThat(result.err()).contains("C: RCPT TO:<r@example.com>");
    }

    @Test
    void dashDWithAValueShouldBeTheDestinationAndWinOverTheEnvironment() {
        CommandRun.Result result = command().destination("inet:127.0.0.1:1")
                .run("-d", destination, "-f", "user@example.com", "-t", "recipient@example.com");

        assertThat(result.status()).as(result.toString()).isZero();
        assertThat(result.err()).isEmpty();
        assertThat(server.connectionCount()).isEqualTo(1);
    }

    @Test
    void dashDBeforeABareRecipientShouldBeAUsageErrorWithAHint() {
        CommandRun.Result result = command().destination(destination).run("-d", "bob@example.com");

        assertThat(result.status()).isEqualTo(ExitStatus.USAGE);
        assertThat(result.err()).isEqualTo("lmtp: no recipient: give at least one with -t or as an argument "
                + "(-d took 'bob@example.com' as the destination; for a transcript write -v)\n");
    }

    @Test
    void bareArgumentsShouldBeRecipientsAfterThoseOfDashT() {
        CommandRun.Result result = command().destination(destination).run("a@example.com", "-t", "b@example.com", "c@example.com");

        assertThat(result.status()).isZero();
        assertThat(server.commands(0)).contains("RCPT TO:<b@example.com>", "RCPT TO:<a@example.com>", "RCPT TO:<c@example.com>");
        assertThat(server.commands(0).indexOf("RCPT TO:<b@example.com>")).isLessThan(server.commands(0).indexOf("RCPT TO:<a@example.com>"));
        assertThat(result.outLines()).extracting(line -> line.split(" ")[0])
                .containsExactly("b@example.com", "a@example.com", "c@example.com");
    }

    @Test
    void defaultSenderShouldBeTheUserAtThisHost() {
        CommandRun.Result result = command().destination(destination).env("USER", "operator").run("bob@example.com");

        assertThat(result.status()).isZero();
        assertThat(server.commands(0)).contains("MAIL FROM:<operator@" + LmtpClient.localHostName() + ">");
    }

    @Test
    void configFileShouldGiveDefaultsAndTheCommandLineShouldWin() throws Exception {
        other = FakeLmtpServer.start(LmtpHandler.defaults());
        Path config = dir.resolve("lmtp.conf");
        Files.writeString(config, "# test defaults\ndestination = " + destination + "\nlhlo = conf.example\n"
                + "sender = conf@example.com\ntranscript = yes\n");

        CommandRun.Result fromFile = command().destination("inet:127.0.0.1:1").run("-C", config.toString(), "bob@example.com");
        assertThat(fromFile.status()).as(fromFile.toString()).isZero();
        assertThat(server.commands(0)).startsWith("LHLO conf.example", "MAIL FROM:<conf@example.com>");
        assertThat(fromFile.err()).contains("C: LHLO conf.example");

        CommandRun.Result overridden = command().run("-C", config.toString(), "-d", "inet:127.0.0.1:" + other.port(),
                "-l", "cli.example", "-f", "", "bob@example.com");
        assertThat(overridden.status()).as(overridden.toString()).isZero();
        assertThat(other.commands(0)).startsWith("LHLO cli.example", "MAIL FROM:<>");
        assertThat(server.connectionCount()).isEqualTo(1);
    }

    @Test
    void badConfigFileShouldExit64NamingFileLineAndKey() throws Exception {
        Path config = dir.resolve("bad.conf");
        Files.writeString(config, "destination = " + destination + "\ntimeout = forever\n");

        CommandRun.Result result = command().run("-C", config.toString(), "bob@example.com");

        assertThat(result.status()).isEqualTo(ExitStatus.USAGE);
        assertThat(result.err()).isEqualTo("lmtp: " + config + ":2: key 'timeout': 'forever' is not a duration "
                + "(write e.g. 30s, 500ms, 2m, 1h or 30)\n");
        assertThat(server.connectionCount()).isZero();
    }

    @Test
    void unixSocketDestinationShouldWork() {
        try (FakeLmtpServer unix = FakeLmtpServer.startUnix(dir.resolve("lmtp.sock"), LmtpHandler.defaults())) {
            CommandRun.Result result = command().run("-d", "unix:" + unix.socketPath(), "-f", "a@example.com", "bob@example.com");

            assertThat(result.status()).as(result.toString()).isZero();
            assertThat(unix.commands(0)).contains("RCPT TO:<bob@example.com>");
        }
    }
}
