package dev.jameslmtp.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;

import org.junit.jupiter.api.Test;

/** The Cyrus harness says what its Javadoc says, byte for byte, and stops what it starts. */
class CyrusLmtpServerTest {

    private static final String PASSWORD = "harness-nOt4LoGs";

    @Test
    void cyrusShouldRequireAuthOnTcpAndDeliverAfterIt() throws Exception {
        try (CyrusLmtpServer cyrus = CyrusLmtpServer.start(Path.of("target", "cyrus-harness"), CyrusLmtpServer.Options.of(PASSWORD, "alice"));
             RawLmtpClient client = RawLmtpClient.tcp(cyrus.port())) {
            assertThat(client.reply()).startsWith("220 " + CyrusLmtpServer.SERVER_NAME + " Cyrus LMTP");
            assertThat(client.command("LHLO harness.test"))
                    .contains("250-AUTH PLAIN LOGIN CRAM-MD5 SCRAM-SHA-256 SCRAM-SHA-1")
                    .doesNotContain("STARTTLS");
            assertThat(client.command("MAIL FROM:<a@b.test>")).isEqualTo("430 Authentication required");
            String wrong = Base64.getEncoder().encodeToString(("\0" + CyrusLmtpServer.ADMIN + "\0wrong").getBytes(StandardCharsets.UTF_8));
            assertThat(client.command("AUTH PLAIN " + wrong)).startsWith("501 5.5.4");
            String right = Base64.getEncoder().encodeToString(("\0" + CyrusLmtpServer.ADMIN + "\0" + PASSWORD).getBytes(StandardCharsets.UTF_8));
            assertThat(client.command("AUTH PLAIN " + right)).isEqualTo("235 Authenticated!");
            assertThat(client.command("MAIL FROM:<a@b.test>")).isEqualTo("250 2.1.0 ok");
            assertThat(client.command("RCPT TO:<alice@example.test>")).isEqualTo("250 2.1.5 ok");
            assertThat(client.command("RCPT TO:<nobody@example.test>")).endsWith("550 5.1.1 User unknown");
            assertThat(client.command("DATA")).startsWith("354");
            assertThat(client.command("Subject: harness\r\n\r\nhi\r\n.")).startsWith("250 2.1.5");

            assertThat(cyrus.messages("alice")).singleElement().asString().contains("Subject: harness\r\n");
        }
    }
}
