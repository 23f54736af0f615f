package dev.jameslmtp.cli;

import static dev.jameslmtp.cli.CommandRun.command;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.Response;

/**
 * {@code --sasl-scram-max-iterations} and its {@code -C} key, and what the issue saw: a store whose
 * SCRAM first message asks for {@code i=2147483647} kept {@code lmtp --timeout 3s} at full CPU for
 * minutes; now the recipient is deferred at once (exit 75) with the count in its line.
 */
class ScramIterationsOptionTest {

    private static final String PASSWORD = "scram-cli-nOt4LoGs";

    @TempDir
    Path directory;

    private FakeLmtpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** A store offering SCRAM-SHA-256 whose first message announces {@code iterations}; a cancel gets 501. */
    private String startStore(int iterations) {
        server = FakeLmtpServer.start(new LmtpHandler() {
            @Override
            public Response lhlo(String arg) {
                return LmtpHandler.lhloReply("fake.test", List.of("PIPELINING", "ENHANCEDSTATUSCODES", "AUTH SCRAM-SHA-256"));
            }

            @Override
            public Response auth(String args) {
                String clientFirst = new String(Base64.getDecoder().decode(args.split(" ")[1]), StandardCharsets.UTF_8);
                String nonce = clientFirst.substring(clientFirst.indexOf("r=") + 2);
                String serverFirst = "r=" + nonce + "srv,s=" + Base64.getEncoder().encodeToString("salt".getBytes(StandardCharsets.US_ASCII))
                        + ",i=" + iterations;
                return Response.reply("334 " + Base64.getEncoder().encodeToString(serverFirst.getBytes(StandardCharsets.US_ASCII)));
            }

            @Override
            public Response authContinuation(String line, int step) {
                return Response.reply(line.equals("*") ? "501 5.0.0 AUTH aborted" : "535 5.7.8 no");
            }
        });
        return "inet:[127.0.0.1]:" + server.port();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aStoreAskingForTwoBillionIterationsShouldBeDeferredAtOnceNamingTheCount() {
        String destination = startStore(Integer.MAX_VALUE);

        CommandRun.Result result = command().env("LMTP_PASSWORD", PASSWORD)
                .run("-d", destination, "--user", "lmtpadmin", "--timeout", "3s", "-f", "a@x.test", "bob@x.test");

        assertThat(result.status()).as(result.toString()).isEqualTo(ExitStatus.TEMPFAIL);
        assertThat(result.out()).matches("(?s)bob@x\\.test +deferred +- +4\\.7\\.0 .*")
                .contains("iteration count 2147483647 is outside the accepted range 4096 to 65536");
        assertThat(server.commands(0)).contains("*").noneMatch(c -> c.startsWith("MAIL"));
    }

    @Test
    void aMaximumBelowTheRfcMinimumShouldBeAUsageErrorFromTheOptionAndFromTheFile() throws Exception {
        String destination = startStore(4096);
        Path config = Files.writeString(directory.resolve("lmtp.conf"), "sasl-scram-max-iterations = 4095\n");

        CommandRun.Result option = command().env("LMTP_PASSWORD", PASSWORD)
                .run("-d", destination, "--user", "lmtpadmin", "--sasl-scram-max-iterations", "4095", "bob@x.test");
        CommandRun.Result file = command().env("LMTP_PASSWORD", PASSWORD)
                .run("-C", config.toString(), "-d", destination, "--user", "lmtpadmin", "bob@x.test");
        CommandRun.Result withoutAuth = command().run("-d", destination, "--sasl-scram-max-iterations", "100000", "bob@x.test");

        assertThat(option.status()).isEqualTo(ExitStatus.USAGE);
        assertThat(option.err()).isEqualTo("lmtp: --sasl-scram-max-iterations: invalid value '4095': expected a whole number from 4096 "
                + "(the least RFC 7677 allows)\n");
        assertThat(file.status()).isEqualTo(ExitStatus.USAGE);
        assertThat(file.err()).contains("4095").contains("from 4096");
        assertThat(withoutAuth.status()).isEqualTo(ExitStatus.USAGE);
        assertThat(withoutAuth.err()).contains("[--sasl-scram-max-iterations] are set but -a is not");
        assertThat(server.connectionCount()).isZero();
    }
}
