package dev.jameslmtp.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The demo end to end with its embedded LMTP store, and its option parsing. */
class DemoTest {

    @Test
    void demoShouldDeliverTheBatchToTheEmbeddedStoreAndBounceTheUnknownRecipient() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = Demo.run(new String[] {"--wait", "60"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        String output = out.toString(StandardCharsets.UTF_8);
        assertThat(status).as(output + err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(output)
                .contains("the embedded LMTP store")
                .containsPattern("nobody@example\\.test +bounced +550 5\\.1\\.1")
                .containsPattern("alice@example\\.test +INBOX holds 3 message\\(s\\)")
                .containsPattern("bob@example\\.test +INBOX holds 2 message\\(s\\)")
                .containsPattern("carol@example\\.test +INBOX holds 1 message\\(s\\)")
                .contains("(RFC 3464, from LmtpDelivery)")
                .contains("Final-Recipient: rfc822; nobody@example.test")
                .contains("Action: failed")
                .containsPattern("Status: 5\\.1\\.1\\R") // a bare enhanced code, as RFC 3464 has it
                .contains("Diagnostic-Code: smtp; 550 5.1.1")
                .doesNotContain("DSNBounce")
                .contains("Summary: 6 delivered, 0 deferred, 1 bounced");
    }

    @Test
    void destinationShouldComeFromTheCommandLineBeforeTheEnvironment() {
        DemoOptions options = DemoOptions.parse(new String[] {"--destination", "inet:127.0.0.1:2424"},
                Map.of("LMTP_DESTINATION", "unix:/run/dovecot/lmtp"));

        assertThat(options.destination()).hasValue("inet:127.0.0.1:2424");
    }

    @Test
    void destinationShouldDefaultToTheEnvironmentAndThenToTheEmbeddedStore() {
        assertThat(DemoOptions.parse(new String[0], Map.of("LMTP_DESTINATION", "unix:/run/dovecot/lmtp")).destination())
                .hasValue("unix:/run/dovecot/lmtp");
        assertThat(DemoOptions.parse(new String[0], Map.of()).destination()).isEmpty();
    }

    @Test
    void recipientsInSeveralDomainsShouldBeRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DemoOptions.parse(
                        new String[] {"--recipients", "a@one.test,b@two.test"}, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("one domain");
    }

    @Test
    void usageErrorShouldExitWith64() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = Demo.run(new String[] {"--bogus"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).isEqualTo(64);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown option: --bogus").contains("Usage:");
    }
}
