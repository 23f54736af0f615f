package dev.jameslmtp.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.demo.Demo;
import dev.jameslmtp.demo.WorkDirectory;
import dev.jameslmtp.testing.DovecotLmtpServer;

/**
 * The demo's {@code --destination} option against a real Dovecot: the batch lands in the
 * Maildirs, nobody bounces with 550 5.1.1, and carol (tiny quota, Dovecot's default
 * {@code quota_full_tempfail = no}) bounces with 552 5.2.2.
 */
class DemoAgainstDovecotTest {

    private static final Logger LOGGER = LoggerFactory.getLogger(DemoAgainstDovecotTest.class);

    private DovecotLmtpServer dovecot;

    @BeforeEach
    void startDovecot() {
        dovecot = DovecotLmtpServer.start(WorkDirectory.of(getClass(), "dovecot"));
    }

    @AfterEach
    void stopDovecot() {
        dovecot.close();
    }

    @Test
    void demoShouldDeliverToDovecotWhenGivenADestination() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        int status = Demo.run(new String[] {"--destination", dovecot.tcpDestination(), "--wait", "60"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true, StandardCharsets.UTF_8));

        String output = out.toString(StandardCharsets.UTF_8);
        LOGGER.info("demo output:\n{}", output);
        assertThat(status).isZero();
        assertThat(output)
                .contains("LmtpDelivery -> " + dovecot.tcpDestination())
                .containsPattern("nobody@example\\.test +bounced +550 5\\.1\\.1")
                .containsPattern("carol@example\\.test +bounced +552 5\\.2\\.2")
                .contains("Summary: 5 delivered, 0 deferred, 2 bounced");
        assertThat(dovecot.messages("alice")).hasSize(3);
        assertThat(dovecot.messages("bob")).hasSize(2);
        assertThat(dovecot.messages("carol")).isEmpty();
    }
}
