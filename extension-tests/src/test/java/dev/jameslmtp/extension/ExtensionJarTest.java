package dev.jameslmtp.extension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.net.smtp.SMTPClient;
import org.apache.james.GuiceJamesServer;
import org.apache.james.modules.protocols.SmtpGuiceProbe;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.jameslmtp.demo.InMemoryJames;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;

/**
 * The extension jar as an operator installs it: copied into James's {@code extensions-jars/},
 * named in {@code smtpserver.xml}, {@code mailetcontainer.xml} and {@code extensions.properties},
 * loaded by James's own class loader. The store is a scripted LMTP server on a UNIX socket (so
 * junixsocket, bundled in the jar, is exercised) that knows only alice.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExtensionJarTest {

    private static final Path HOME = Path.of("target", "james-home").toAbsolutePath();

    private static final LmtpHandler STORE = LmtpHandler.knowingOnly("alice");

    private FakeLmtpServer store;
    private GuiceJamesServer james;

    @BeforeAll
    void installAndStart() throws Exception {
        Path jar = Path.of(System.getProperty("extension.jar", "extension.jar-not-set"));
        assertThat(jar).as("the extension jar (build with: mvn -pl extension-tests -am verify)").isRegularFile();
        Path socket = Files.createDirectories(Path.of("target", "sockets").toAbsolutePath()).resolve("store.sock");
        store = FakeLmtpServer.startUnix(socket, STORE);
        JamesHome.create(HOME, jar, "unix:" + socket);
        james = InMemoryJames.start(InMemoryJames.server(HOME));
    }

    @AfterAll
    void stop() {
        if (james != null) {
            james.stop();
        }
        if (store != null) {
            store.close();
        }
    }

    @Test
    void ourClassesShouldNotBeOnTheTestClasspath() {
        for (String name : List.of("dev.jameslmtp.mailet.LmtpDelivery", "dev.jameslmtp.smtp.VerifyRecipientInStore",
                "dev.jameslmtp.client.LmtpClient", "dev.jameslmtp.conf.Routing", "org.newsclub.net.unix.AFUNIXSocket")) {
            assertThatThrownBy(() -> Class.forName(name, false, getClass().getClassLoader()))
                    .as(name).isInstanceOf(ClassNotFoundException.class);
        }
    }

    @Test
    void hookAndMailetFromTheJarShouldVerifyRecipientsAndDeliverOverTheUnixSocket() throws Exception {
        String message = "From: sender@" + JamesHome.LOCAL_DOMAIN + "\r\nTo: alice@" + JamesHome.STORE_DOMAIN
                + "\r\nSubject: extension-jar\r\n\r\ndelivered by the extension jar\r\n";
        SMTPClient smtp = new SMTPClient();
        smtp.setDefaultTimeout(30_000);
        smtp.connect("127.0.0.1", james.getProbe(SmtpGuiceProbe.class).getSmtpPort().getValue());
        try {
            smtp.setSoTimeout(30_000);
            smtp.helo("client.test");
            smtp.setSender("sender@" + JamesHome.LOCAL_DOMAIN);
            assertThat(rcpt(smtp, "nobody@" + JamesHome.STORE_DOMAIN))
                    .startsWith("550 5.1.1 <nobody@" + JamesHome.STORE_DOMAIN + ">: Recipient address rejected");
            assertThat(rcpt(smtp, "alice@" + JamesHome.STORE_DOMAIN)).startsWith("250");
            smtp.sendShortMessageData(message);
            assertThat(smtp.getReplyString()).startsWith("250");
            smtp.logout();
        } finally {
            smtp.disconnect();
        }

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(deliveredBodies()).anyMatch(body -> body.contains("delivered by the extension jar")));
    }

    /**
     * RCPT as an MTA sends it: again after the hook's "address verification in progress" (its
     * probe ran longer than {@code verifyBudget}, 200 ms), every 100 ms for at most 30 seconds.
     */
    private static String rcpt(SMTPClient smtp, String address) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        smtp.addRecipient(address);
        while (smtp.getReplyString().startsWith("450 4.1.1") && System.nanoTime() < deadline) {
            Thread.sleep(100);
            smtp.addRecipient(address);
        }
        return smtp.getReplyString();
    }

    private List<String> deliveredBodies() {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < store.connectionCount(); i++) {
            store.bodies(i).forEach(body -> bodies.add(new String(body, StandardCharsets.UTF_8)));
        }
        return bodies;
    }
}
