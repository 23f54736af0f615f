package dev.jameslmtp.cli;

import static dev.jameslmtp.cli.CommandRun.command;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.Response;
import dev.jameslmtp.testing.TestCertificates;

/**
 * {@code lmtp} and a peer in the middle: it answers STARTTLS with a certificate of its own making,
 * then offers only AUTH PLAIN. At {@code --tls encrypt} the password is not sent unless
 * {@code --sasl-tls-security-options noanonymous} says so, and then stderr warns.
 */
class SaslTlsSecurityOptionsTest {

    private static final String PASSWORD = "cli-mitm-nOt4LoGs";
    private FakeLmtpServer server;

    @BeforeEach
    void start() {
        server = FakeLmtpServer.start(new LmtpHandler() {
            @Override
            public Response lhlo(String arg) {
                return LmtpHandler.lhloReply("store.test", List.of("ENHANCEDSTATUSCODES", "STARTTLS"));
            }

            @Override
            public Response lhloAfterTls(String arg) {
                return LmtpHandler.lhloReply("store.test", List.of("ENHANCEDSTATUSCODES", "AUTH PLAIN"));
            }

            @Override
            public Response starttls() {
                return Response.reply("220 2.0.0 Ready to start TLS");
            }

            @Override
            public Response auth(String args) {
                return Response.reply("235 2.7.0 Authentication successful");
            }
        }, TestCertificates.authority("in the middle").issue("127.0.0.1").serverContext());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private CommandRun.Result run(String... options) {
        List<String> args = new java.util.ArrayList<>(List.of("--user", "lmtpadmin", "--tls", "encrypt",
                "-d", "inet:[127.0.0.1]:" + server.port()));
        args.addAll(List.of(options));
        args.add("bob@example.com");
        return command().env("LMTP_PASSWORD", PASSWORD).run(args.toArray(new String[0]));
    }

    @Test
    void plainShouldNotBeSentAfterAnUnverifiedHandshakeByDefault() {
        CommandRun.Result result = run();

        assertThat(result.status()).as(result.toString()).isEqualTo(ExitStatus.TEMPFAIL);
        assertThat(result.out()).contains("deferred").contains("4.7.0").contains("no compatible authentication mechanisms");
        assertThat(result.err()).doesNotContain("warning");
        assertThat(server.commands(0)).noneMatch(c -> c.startsWith("AUTH"));
    }

    @Test
    void plainShouldBeSentWithAWarningWhenTheTlsSecurityOptionsAllowIt() {
        CommandRun.Result result = run("--sasl-tls-security-options", "noanonymous");

        assertThat(result.status()).as(result.toString()).isZero();
        assertThat(result.errLines()).anySatisfy(line -> assertThat(line).startsWith(
                "lmtp: warning: --sasl-tls-security-options 'noanonymous' allows PLAIN and LOGIN on TLS sessions whose "
                        + "certificate is not verified (--tls encrypt)"));
        assertThat(server.commands(0)).anyMatch(c -> c.startsWith("AUTH PLAIN "));
        assertThat(result.out() + result.err()).doesNotContain(PASSWORD);
    }

    @Test
    void theConfigFileKeyShouldWorkAsTheOption(@org.junit.jupiter.api.io.TempDir java.nio.file.Path directory) throws Exception {
        java.nio.file.Path config = java.nio.file.Files.writeString(directory.resolve("lmtp.conf"), "sasl-tls-security-options = noanonymous\n");

        CommandRun.Result result = run("-C", config.toString());

        assertThat(result.status()).as(result.toString()).isZero();
        assertThat(result.err()).contains("lmtp: warning: --sasl-tls-security-options 'noanonymous'");
    }

    @Test
    void theOptionShouldBeAUsageErrorWithoutAuthOrWithAnUnknownWord() {
        CommandRun.Result withoutAuth = command().run("--sasl-tls-security-options", "noanonymous",
                "-d", "inet:[127.0.0.1]:" + server.port(), "bob@example.com");
        CommandRun.Result unknown = run("--sasl-tls-security-options", "mutual_auth");

        assertThat(withoutAuth.status()).isEqualTo(ExitStatus.USAGE);
        assertThat(withoutAuth.err()).contains("options [--sasl-tls-security-options] are set but -a is not, and without it there is no SASL authentication");
        assertThat(unknown.status()).isEqualTo(ExitStatus.USAGE);
        assertThat(unknown.err()).contains("--sasl-tls-security-options: invalid value 'mutual_auth': expected a list of noplaintext, noanonymous, or none");
    }
}
