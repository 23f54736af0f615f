package dev.jameslmtp.cli;

import static dev.jameslmtp.cli.CommandRun.command;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.Response;
import dev.jameslmtp.testing.TestCertificates;

/**
 * {@code --tls-truststore} and {@code --tls-keystore}: stores whose passwords come from the
 * environment, against a fake server that requires a client certificate; a wrong password is a
 * usage error that names the store, never the password.
 */
class KeyStoreOptionsTest {

    private static final TestCertificates.Authority CA = TestCertificates.authority("cli store CA");
    private static final String PASSWORD = "cli-st0re-nOt4LoGs";

    @TempDir
    Path directory;

    private FakeLmtpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private String startServer() {
        LmtpHandler handler = new LmtpHandler() {
            @Override
            public Response lhlo(String arg) {
                return LmtpHandler.lhloReply("fake.test", List.of("PIPELINING", "ENHANCEDSTATUSCODES", "STARTTLS"));
            }

            @Override
            public Response starttls() {
                return Response.reply("220 2.0.0 Ready to start TLS");
            }
        };
        server = FakeLmtpServer.startRequiringClientCertificate(handler, CA.issue("localhost", "127.0.0.1").serverContext(CA));
        return "inet:[127.0.0.1]:" + server.port();
    }

    private Path[] stores() {
        Path trust = directory.resolve("trust.p12");
        Path keys = directory.resolve("client.p12");
        CA.writeTrustStore(trust, "PKCS12", PASSWORD.toCharArray());
        CA.issue("cli.client.test").writeKeyStore(keys, "PKCS12", PASSWORD.toCharArray());
        return new Path[] {trust, keys};
    }

    @Test
    void storesWithPasswordsFromTheEnvironmentShouldVerifyTheServerAndPresentTheClientCertificate() {
        Path[] stores = stores();
        String destination = startServer();

        CommandRun.Result result = command().env("LMTP_TRUSTSTORE_PASSWORD", PASSWORD).env("LMTP_KEYSTORE_PASSWORD", PASSWORD)
                .run("--tls", "verify", "--tls-truststore", stores[0].toString(), "--tls-keystore", stores[1].toString(),
                        "-d", destination, "bob@x.test");

        assertThat(result.status()).as(result.toString()).isZero();
        assertThat(server.clientCertificate(0)).hasValue("CN=cli.client.test");
    }

    @Test
    void aWrongKeyStorePasswordShouldBeAUsageErrorNamingTheStoreNotThePassword() {
        Path[] stores = stores();
        String destination = startServer();
        String wrong = "wr0ng-cli-nOt4LoGs";

        CommandRun.Result result = command().env("LMTP_TRUSTSTORE_PASSWORD", PASSWORD).env("LMTP_KEYSTORE_PASSWORD", wrong)
                .run("--tls", "verify", "--tls-truststore", stores[0].toString(), "--tls-keystore", stores[1].toString(),
                        "-d", destination, "bob@x.test");

        assertThat(result.status()).isEqualTo(ExitStatus.USAGE);
        assertThat(result.err()).contains(stores[1].toString()).contains("wrong password").doesNotContain(wrong).doesNotContain(PASSWORD);
        assertThat(server.connectionCount()).isZero();
    }

    @Test
    void aKeyStoreWithoutItsPasswordVariableOrWithPemFilesShouldBeRefused() {
        Path[] stores = stores();

        CommandRun.Result noPassword = command().run("--tls", "encrypt", "--tls-keystore", stores[1].toString(), "-d",
                "inet:[127.0.0.1]:1", "bob@x.test");
        CommandRun.Result both = command().env("LMTP_KEYSTORE_PASSWORD", PASSWORD).run("--tls", "verify", "--tls-ca",
                stores[0].toString(), "--tls-truststore", stores[0].toString(), "-d", "inet:[127.0.0.1]:1", "bob@x.test");

        assertThat(noPassword.status()).isEqualTo(ExitStatus.USAGE);
        assertThat(noPassword.err()).contains("$LMTP_KEYSTORE_PASSWORD");
        assertThat(both.status()).isEqualTo(ExitStatus.USAGE);
        assertThat(both.err()).contains("--tls-ca and --tls-truststore");
    }
}
