package dev.jameslmtp.cli;

import static dev.jameslmtp.cli.CommandRun.command;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.Response;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The command against a {@link FakeLmtpServer} on a real loopback socket: output, transcript, exit status, bytes. */
class LmtpCommandTest {

    private FakeLmtpServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private String start(LmtpHandler handler) {
        server = FakeLmtpServer.start(handler);
        return "inet:127.0.0.1:" + server.port();
    }

    /** Replies to RCPT by recipient address: "tempfail..." 451, "unknown..." 550 5.1.1, "nomail..." 550 5.7.1. */
    private static LmtpHandler byAddress() {
        return new LmtpHandler() {
            @Override
            public Response rcpt(String args, int index) {
                String address = LmtpHandler.path(args);
                if (address.startsWith("tempfail")) {
                    return Response.reply("451 4.3.0 <" + address + "> Temporary failure");
                }
                if (address.startsWith("unknown")) {
                    return Response.reply("550 5.1.1 <" + address + "> User doesn't exist: " + address);
                }
                if (address.startsWith("blocked")) {
                    return Response.reply("550 5.7.1 <" + address + "> Delivery not authorized");
                }
                return Response.reply("250 2.1.5 OK");
            }
        };
    }

    @Test
    void everyRecipientDeliveredShouldExitZeroWithOneLinePerRecipient() {
        String destination = start(LmtpHandler.defaults());

        CommandRun.Result result = command().run("-d", destination, "-f", "alice@example.test",
                "-t", "bob@example.test", "carol-long-name@example.test");

        assertThat(result.status()).as(result.toString()).isZero();
        assertThat(result.outLines()).containsExactly(
                "bob@example.test              delivered  250  2.0.0  <bob@example.test> Saved",
                "carol-long-name@example.test  delivered  250  2.0.0  <carol-long-name@example.test> Saved");
        assertThat(result.err()).isEmpty();
        assertThat(server.commands(0)).containsExactly("LHLO " + dev.jameslmtp.client.LmtpClient.localHostName(),
                "MAIL FROM:<alice@example.test>", "RCPT TO:<bob@example.test>", "RCPT TO:<carol-long-name@example.test>",
                "DATA", "QUIT");
    }

    @Test
    void anyTemporaryFailureShouldExit75EvenWithPermanentOnes() {
        String destination = start(byAddress());

        CommandRun.Result result = command().run("-d", destination, "ok@x.test", "tempfail@x.test", "unknown@x.test");

        assertThat(result.status()).as(result.toString()).isEqualTo(ExitStatus.TEMPFAIL);
        assertThat(result.outLines()).containsExactly(
                "ok@x.test        delivered  250  2.0.0  <ok@x.test> Saved",
                "tempfail@x.test  deferred   451  4.3.0  <tempfail@x.test> Temporary failure",
                "unknown@x.test   bounced    550  5.1.1  <unknown@x.test> User doesn't exist: unknown@x.test");
    }

    @Test
    void onlyUnknownUsersFailingShouldExit67() {
        String destination = start(byAddress());

        CommandRun.Result result = command().run("-d", destination, "ok@x.test", "unknown1@x.test", "unknown2@x.test");

        assertThat(result.status()).as(result.toString()).isEqualTo(ExitStatus.NOUSER);
    }

    @Test
    void otherPermanentFailuresShouldExit69() {
        String destination = start(byAddress());

        CommandRun.Result result = command().run("-d", destination, "unknown@x.test", "blocked@x.test");

        assertThat(result.status()).as(result.toString()).isEqualTo(ExitStatus.UNAVAILABLE);
        assertThat(result.outLines()).hasSize(2).last().asString()
                .isEqualTo("blocked@x.test  bounced    550  5.7.1  <blocked@x.test> Delivery not authorized");
    }

    @Test
    void permanentFailureAfterTheDotShouldExit69() {
        String destination = start(new LmtpHandler() {
            @Override
            public List<Response> afterDot(List<String> accepted, byte[] body) {
                return List.of(Response.reply("250 2.0.0 <a@x.test> Saved"),
                        Response.reply("552 5.2.2 <b@x.test> Quota exceeded (mailbox for user is full)"));
            }
        });

        CommandRun.Result result = command().run("-d", destination, "a@x.test", "b@x.test");

        assertThat(result.status()).as(result.toString()).isEqualTo(ExitStatus.UNAVAILABLE);
        assertThat(result.outLines()).containsExactly(
                "a@x.test  delivered  250  2.0.0  <a@x.test> Saved",
                "b@x.test  bounced    552  5.2.2  <b@x.test> Quota exceeded (mailbox for user is full)");
    }

    @Test
    void serverRefusingTheSessionWith5xxGreetingShouldDeferEveryRecipientAndExit75() {
        String destination = start(new LmtpHandler() {
            @Override
            public Response greeting() {
                return Response.replyThenDrop("554 5.3.2 fake.test no service here");
            }
        });

        CommandRun.Result result = command().run("-d", destination, "a@x.test", "b@x.test");

        assertThat(result.status()).as(result.toString()).isEqualTo(ExitStatus.TEMPFAIL);
        assertThat(result.outLines()).hasSize(2).allSatisfy(line -> assertThat(line).matches("[ab]@x\\.test  deferred   -    4\\.3\\.2  "
                + "server inet:\\S+ refused to talk to me: 554 5\\.3\\.2 fake\\.test no service here \\(skipped, as lmtp_skip_5xx_greeting\\)"));
    }

    @Test
    void aDeferredLineShouldShowNoServerCodeWhenTheServerAnswersDataWith250() {
        String destination = start(new LmtpHandler() {
            @Override
            public Response data(int acceptedRecipients) {
                return Response.reply("250 2.0.0 Ok");
            }
        });

        CommandRun.Result result = command().run("-d", destination, "a@x.test");

        assertThat(result.status()).as(result.toString()).isEqualTo(ExitStatus.TEMPFAIL);
        assertThat(result.outLines()).containsExactly(
                "a@x.test  deferred   -    4.5.0  protocol error: unexpected reply '250 2.0.0 Ok' while sending DATA command");
    }

    @Test
    void reportShouldBePrintedBeforeQuitWhenTheServerNeverAnswersQuit() throws Exception {
        String destination = start(new LmtpHandler() {
            @Override
            public Response quit() {
                return Response.stall();
            }
        });
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        java.util.concurrent.CompletableFuture<Integer> run = java.util.concurrent.CompletableFuture.supplyAsync(() ->
                LmtpCommand.run(new String[] {"-d", destination, "--timeout", "60s", "a@x.test"}, new LmtpCommand.Context(
                        new java.io.ByteArrayInputStream("Subject: x\n".getBytes(StandardCharsets.US_ASCII)),
                        new java.io.PrintStream(out, true, StandardCharsets.UTF_8), new java.io.PrintStream(new ByteArrayOutputStream()),
                        java.util.Map.of("USER", "tester"))));

        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!out.toString(StandardCharsets.UTF_8).contains("delivered") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }

        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("a@x.test  delivered  250  2.0.0  <a@x.test> Saved\n");
        assertThat(run).as("the command still waits for the QUIT reply").isNotDone();
        server.close(); // ends the stall: the QUIT reply will never come
        assertThat(run.get(20, java.util.concurrent.TimeUnit.SECONDS)).isZero();
    }

    @Test
    void messageShouldGoInBdatChunksToAServerOfferingChunkingAndAfterDataWithNoChunking() throws Exception {
        String destination = start(LmtpHandler.withCapabilities(LmtpHandler.CHUNKING_CAPABILITIES.toArray(String[]::new)));

        CommandRun.Result chunked = command().run("-d", destination, "-f", "alice@example.test", "bob@example.test");
        server.awaitClosed(0, Duration.ofSeconds(5));
        CommandRun.Result data = command().run("-d", destination, "--no-chunking", "-f", "alice@example.test", "bob@example.test");
        server.awaitClosed(1, Duration.ofSeconds(5));

        assertThat(chunked.status()).as(chunked.toString()).isZero();
        assertThat(data.status()).as(data.toString()).isZero();
        assertThat(server.commands(0)).anyMatch(line -> line.matches("BDAT \\d+ LAST")).doesNotContain("DATA");
        assertThat(server.commands(1)).contains("DATA").noneMatch(line -> line.startsWith("BDAT"));
    }

    @Test
    void serverRefusingTheSessionWith5xxGreetingShouldExit69WithNoSkip5xxGreeting() {
        String destination = start(new LmtpHandler() {
            @Override
            public Response greeting() {
                return Response.replyThenDrop("554 5.3.2 fake.test no service here");
            }
        });

        CommandRun.Result result = command().run("-d", destination, "--no-skip-5xx-greeting", "a@x.test", "b@x.test");

        assertThat(result.status()).as(result.toString()).isEqualTo(ExitStatus.UNAVAILABLE);
        assertThat(result.outLines()).containsExactly(
                "a@x.test  bounced    554  5.3.2  fake.test no service here",
                "b@x.test  bounced    554  5.3.2  fake.test no service here");
    }

    @Test
    void unreachableServerShouldExit75WithConnectFailurePerRecipient() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = socket.getLocalPort();
        }

        CommandRun.Result result = command().run("-s", "127.0.0.1", "-p", Integer.toString(closedPort), "a@x.test");

        assertThat(result.status()).as(result.toString()).isEqualTo(ExitStatus.TEMPFAIL);
        assertThat(result.outLines()).singleElement().asString()
                .startsWith("a@x.test  deferred   -    4.4.1  connect to inet:[127.0.0.1]:" + closedPort + ": ")
                .contains("Connection refused");
    }

    @Test
    void stalledServerShouldBeDeferredWithinTheTimeout() {
        String destination = start(new LmtpHandler() {
            @Override
            public List<Response> afterDot(List<String> accepted, byte[] body) {
                return List.of(Response.stall());
            }
        });
        long start = System.nanoTime();

        CommandRun.Result result = command().run("--timeout", "500ms", "-d", destination, "a@x.test");

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(result.status()).as(result.toString()).isEqualTo(ExitStatus.TEMPFAIL);
        assertThat(result.outLines()).singleElement().asString()
                .startsWith("a@x.test  deferred   -    4.4.2  conversation with inet:127.0.0.1:")
                .endsWith("timed out while sending end of data -- message may be sent more than once");
    }

    @Test
    void usageErrorsShouldExit64WithAMessageAndSendNothing() {
        String destination = start(LmtpHandler.defaults());

        CommandRun.Result noRecipient = command().run("-d", destination, "-f", "a@x.test");
        assertThat(noRecipient.status()).isEqualTo(ExitStatus.USAGE);
        assertThat(noRecipient.err()).isEqualTo("lmtp: no recipient: give at least one with -t or as an argument\n");
        assertThat(noRecipient.out()).isEmpty();

        CommandRun.Result badDestination = command().run("-d", "inet:localhost:25", "bob@x.test");
        assertThat(badDestination.status()).isEqualTo(ExitStatus.USAGE);
        assertThat(badDestination.err()).startsWith("lmtp: -d: malformed LMTP destination 'inet:localhost:25': port 25");

        CommandRun.Result badOption = command().run("-x", "bob@x.test");
        assertThat(badOption.status()).isEqualTo(ExitStatus.USAGE);
        assertThat(badOption.errLines()).containsExactly("lmtp: Unknown option: '-x'", "Try 'lmtp --help' for more information.");

        CommandRun.Result missingValue = command().run("bob@x.test", "-f");
        assertThat(missingValue.status()).isEqualTo(ExitStatus.USAGE);
        assertThat(missingValue.err()).startsWith("lmtp: Missing required parameter for option '--from' (sender)");

        CommandRun.Result injection = command().run("-d", destination, "bob@x.test\r\nRSET");
        assertThat(injection.status()).isEqualTo(ExitStatus.USAGE);
        assertThat(injection.err()).startsWith("lmtp: recipient 1: recipient address contains a control character");

        assertThat(server.connectionCount()).isZero();
    }

    @Test
    void emptyOrUnreadableInputShouldExit66AndSendNothing() {
        String destination = start(LmtpHandler.defaults());

        CommandRun.Result empty = command().stdin(new byte[0]).run("-d", destination, "bob@x.test");
        assertThat(empty.status()).isEqualTo(ExitStatus.NOINPUT);
        assertThat(empty.err()).isEqualTo("lmtp: standard input is empty: there is no message to deliver\n");

        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("Input/output error");
            }
        };
        CommandRun.Result unreadable = command().stdin(failing).run("-d", destination, "bob@x.test");
        assertThat(unreadable.status()).isEqualTo(ExitStatus.NOINPUT);
        assertThat(unreadable.err()).isEqualTo("lmtp: cannot read the message from standard input: Input/output error\n");

        CommandRun.Result closed = command().stdin(StandardInput.closed()).run("-d", destination, "bob@x.test");
        assertThat(closed.status()).isEqualTo(ExitStatus.NOINPUT);
        assertThat(closed.err()).isEqualTo("lmtp: cannot read the message from standard input: standard input is closed\n");

        assertThat(server.connectionCount()).isZero();
    }

    @Test
    void verboseShouldWriteTheTranscriptToStderr() {
        String destination = start(LmtpHandler.defaults());

        CommandRun.Result result = command().stdin("Subject: hi\r\n\r\nbody\r\n")
                .run("-v", "-d", destination, "-l", "client.example", "-f", "a@x.test", "bob@x.test");

        assertThat(result.status()).isZero();
        assertThat(result.errLines()).containsExactly(
                "S: 220 fake.test LMTP ready",
                "C: LHLO client.example",
                "S: 250-fake.test",
                "S: 250-PIPELINING",
                "S: 250-ENHANCEDSTATUSCODES",
                "S: 250 8BITMIME",
                "C: MAIL FROM:<a@x.test>",
                "C: RCPT TO:<bob@x.test>",
                "C: DATA",
                "S: 250 2.1.0 Ok",
                "S: 250 2.1.5 Ok",
                "S: 354 go ahead",
                "C: [21 bytes of message content]",
                "C: .",
                "S: 250 2.0.0 <bob@x.test> Saved",
                "C: QUIT",
                "S: 221 2.0.0 Bye");
        assertThat(result.outLines()).containsExactly("bob@x.test  delivered  250  2.0.0  <bob@x.test> Saved");
    }

    @Test
    void duplicateRecipientsShouldEachGetTheirOwnLineInOrder() {
        String destination = start(new LmtpHandler() {
            @Override
            public List<Response> afterDot(List<String> accepted, byte[] body) {
                List<Response> replies = new ArrayList<>();
                for (int i = 0; i < accepted.size(); i++) {
                    String address = LmtpHandler.path(accepted.get(i));
                    replies.add(i == 2
                            ? Response.reply("452 4.2.2 <" + address + "> Mailbox full (reply " + i + ")")
                            : Response.reply("250 2.0.0 <" + address + "> Saved (reply " + i + ")"));
                }
                return replies;
            }
        });

        CommandRun.Result result = command().run("-d", destination, "-t", "bob@x.test", "-t", "al@x.test", "bob@x.test", "al@x.test");

        assertThat(result.status()).isEqualTo(ExitStatus.TEMPFAIL);
        assertThat(result.outLines()).containsExactly(
                "bob@x.test  delivered  250  2.0.0  <bob@x.test> Saved (reply 0)",
                "al@x.test   delivered  250  2.0.0  <al@x.test> Saved (reply 1)",
                "bob@x.test  deferred   452  4.2.2  <bob@x.test> Mailbox full (reply 2)",
                "al@x.test   delivered  250  2.0.0  <al@x.test> Saved (reply 3)");
    }

    @Test
    void eightBitBodyShouldReachTheServerByteForByte() throws IOException {
        String destination = start(LmtpHandler.defaults());
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        message.write("Subject: =?UTF-8?Q?caf=C3=A9?=\r\nContent-Type: text/plain; charset=ISO-8859-1\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        message.write(new byte[] {'c', 'a', 'f', (byte) 0xE9, ' ', (byte) 0xFF, (byte) 0x80, 0x01, '\r', '\n'});
        message.write(".leading dot\r\n..two dots\r\n.\r\nlast line\r\n".getBytes(StandardCharsets.US_ASCII));
        message.write("caf\u00e9 en UTF-8\r\n".getBytes(StandardCharsets.UTF_8));
        byte[] sent = message.toByteArray();

        CommandRun.Result result = command().stdin(sent).run("-d", destination, "-f", "", "bob@x.test");

        assertThat(result.status()).as(result.toString()).isZero();
        assertThat(server.commands(0)).contains("MAIL FROM:<> BODY=8BITMIME");
        assertThat(server.bodies(0)).singleElement()
                .satisfies(body -> assertThat(FakeLmtpServer.unstuff(body)).isEqualTo(sent));
    }

    @Test
    void bareLineFeedsShouldBecomeCrlfAndNothingElseChange() {
        String destination = start(LmtpHandler.defaults());

        CommandRun.Result result = command().stdin("Subject: Test Email\n\nline\n.dot").run("-d", destination, "bob@x.test");

        assertThat(result.status()).isZero();
        assertThat(new String(server.bodies(0).get(0), StandardCharsets.ISO_8859_1))
                .isEqualTo("Subject: Test Email\r\n\r\nline\r\n..dot\r\n");
    }

    @Test
    void theSpoolFileShouldBeDeletedAfterTheRun() throws IOException {
        String destination = start(LmtpHandler.defaults());
        List<Path> before = spoolFiles();

        assertThat(command().run("-d", destination, "bob@x.test").status()).isZero();
        assertThat(command().stdin(new byte[0]).run("-d", destination, "bob@x.test").status()).isEqualTo(ExitStatus.NOINPUT);

        assertThat(spoolFiles()).containsExactlyInAnyOrderElementsOf(before);
    }

    @Test
    void authWithoutPasswordOrTerminalShouldExit64BeforeReadingOrConnecting() {
        String destination = start(LmtpHandler.defaults());
        InputStream untouchable = new InputStream() {
            @Override
            public int read() {
                throw new AssertionError("standard input must not be read");
            }
        };

        CommandRun.Result auth = command().stdin(untouchable).destination(destination)
                .run("-a", "-f", "user@example.com", "-t", "recipient@example.com");
        assertThat(auth.status()).isEqualTo(ExitStatus.USAGE);
        assertThat(auth.err()).contains("no password for tester").contains("LMTP_PASSWORD");

        CommandRun.Result tls = command().stdin(untouchable).run("--tls", "secure", "-d", destination, "bob@x.test");
        assertThat(tls.status()).isEqualTo(ExitStatus.USAGE);
        assertThat(tls.err()).contains("--tls: invalid value 'secure': expected none, may, encrypt or verify");

        assertThat(server.connectionCount()).isZero();
    }

    @Test
    void starttlsAtEncryptShouldDeferWhenTheServerDoesNotOfferIt() {
        String destination = start(LmtpHandler.defaults());

        CommandRun.Result result = command().run("--starttls", "-d", destination, "bob@x.test");

        assertThat(result.status()).isEqualTo(ExitStatus.TEMPFAIL);
        assertThat(result.out()).matches("(?s)bob@x.test +deferred +- +4.7.4 +TLS is required, but the server does not offer STARTTLS.*");
        assertThat(server.commands(0)).doesNotContain("MAIL FROM:<tester@" + dev.jameslmtp.client.LmtpClient.localHostName() + ">");
    }

    @Test
    void requireAuthShouldDeferWhenTheServerOffersNoAuthAndSendNoMail() {
        String destination = start(LmtpHandler.defaults());

        CommandRun.Result result = command().env("LMTP_PASSWORD", "pw-nOt4LoGs").run("--require-auth", "-d", destination, "bob@x.test");

        assertThat(result.status()).isEqualTo(ExitStatus.TEMPFAIL);
        assertThat(result.out()).matches("(?s)bob@x.test +deferred +- +4.7.0 .*");
        assertThat(server.commands(0)).noneMatch(c -> c.startsWith("MAIL"));
    }

    @Test
    void helpShouldShowTheTutorialExamplesAndExitZero() {
        CommandRun.Result help = command().run("--help");

        assertThat(help.status()).isZero();
        assertThat(help.out())
                .contains("echo \"Subject: Test Email\" | lmtp -f user@example.com -t recipient@example.com")
                .contains("echo \"Subject: Test Email\" | lmtp -d -f user@example.com -t recipient@example.com")
                .contains("lmtp -s mail.example.com -f user@example.com")
                .contains("uuencode attachment.txt attachment.txt | lmtp")
                .contains("$LMTP_DESTINATION")
                .contains("75  EX_TEMPFAIL")
                .contains("lmtp -a -f user@example.com -t recipient@example.com")
                .contains("$LMTP_PASSWORD");
        assertThat(help.outLines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(100));
    }

    @Test
    void versionShouldExitZero() {
        CommandRun.Result version = command().run("--version");
        assertThat(version.status()).isZero();
        assertThat(version.out()).startsWith("lmtp (james-lmtp) ");
    }

    private List<Path> spoolFiles() throws IOException {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(p -> p.getFileName().toString().matches("lmtp-.*\\.msg")).toList();
        }
    }
}
