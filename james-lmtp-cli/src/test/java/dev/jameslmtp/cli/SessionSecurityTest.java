package dev.jameslmtp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.DestinationList;
import dev.jameslmtp.client.credentials.Credentials;
import dev.jameslmtp.client.sasl.SaslPolicy;
import dev.jameslmtp.client.tls.TlsLevel;
import dev.jameslmtp.client.tls.TlsPolicy;
import dev.jameslmtp.conf.ClientSecurity;

/**
 * The options and {@code -C} keys read as the mailet's parameters: the same policies as the
 * mailet's for the same settings, conf's errors with the options named, credentials asked last.
 */
class SessionSecurityTest {

    private static final DestinationList DESTINATION = DestinationList.parse("inet:[127.0.0.1]:2424");
    private static final String PASSWORD = "session-pw-nOt4LoGs";

    private static SessionSecurity.Options tls(String level, Path ca, Path cert, Path keyStore) {
        return new SessionSecurity.Options(false, null, null, level, ca, cert, null, null, keyStore, null, null, null, false, null);
    }

    private static SessionSecurity.Options user(String user, String mechanisms) {
        return new SessionSecurity.Options(false, user, null, null, null, null, null, null, null, mechanisms, null, null, false, null);
    }

    private static SessionSecurity resolve(SessionSecurity.Options options, ConfigFile config, Map<String, String> env,
                                           PasswordPrompt prompt) throws CommandException {
        return SessionSecurity.resolve(options, config, env, DESTINATION, prompt);
    }

    @Test
    void withoutSecurityOptionsThereShouldBeNeitherTlsNorAuthAsForTheMailet() throws CommandException {
        SessionSecurity security = resolve(tls(null, null, null, null), ConfigFile.NONE, Map.of(), PasswordPrompt.NONE);
        ClientSecurity mailets = ClientSecurity.parse(Map.of(), s -> null, Optional.empty()); // what the shortcut stands for

        assertThat(security.tls()).isEqualTo(TlsPolicy.NONE).isEqualTo(mailets.tls());
        assertThat(security.sasl()).isEqualTo(SaslPolicy.NONE).isEqualTo(mailets.sasl());
        assertThat(security.warnings()).isEmpty();
        assertThat(mailets.warnings()).isEmpty();
    }

    @Test
    void aUserShouldGetTheMailetsDefaultsWithThePasswordFromTheEnvironmentAndNoRefusalCache() throws CommandException {
        SaslPolicy sasl = resolve(user("lmtpadmin", null), ConfigFile.NONE, Map.of("LMTP_PASSWORD", PASSWORD), PasswordPrompt.NONE).sasl();
        SaslPolicy mailets = ClientSecurity.parse(Map.of(), s -> null, Optional.of(() -> sasl.credentials())).sasl();

        assertThat(sasl.credentials().forDestination(Destination.parse("[127.0.0.1]:2424")))
                .hasValue(Credentials.of("lmtpadmin", PASSWORD));
        assertThat(sasl.failureCache().lifetime()).isZero();
        assertThat(sasl.withFailureCache(mailets.failureCache())).isEqualTo(mailets);
        assertThat(sasl.toString()).doesNotContain(PASSWORD);
    }

    @Test
    void tlsConflictsShouldBeTheMailetsWithTheOptionsNamed() throws Exception {
        ConfigFile caFromFile = ConfigFile.parse("f", List.of("tls-ca = /etc/ca.pem"));

        assertThatThrownBy(() -> resolve(tls(null, null, null, null), caFromFile, Map.of(), PasswordPrompt.NONE))
                .hasMessage("options [--tls-ca] are set but --tls is none; set --tls to may, encrypt or verify, or remove them");
        assertThatThrownBy(() -> resolve(tls("encrypt", null, Path.of("c.pem"), null), ConfigFile.NONE, Map.of(), PasswordPrompt.NONE))
                .hasMessage("options --tls-cert and --tls-key go together: set both or neither");
        assertThatThrownBy(() -> resolve(tls("encrypt", null, null, Path.of("k.p12")), ConfigFile.NONE, Map.of(), PasswordPrompt.NONE))
                .hasMessage("$LMTP_KEYSTORE_PASSWORD is required: expected the password of --tls-keystore (and of its key)");
    }

    @Test
    void aBadOptionShouldBeReportedBeforeThePasswordIsAsked() {
        AtomicInteger asked = new AtomicInteger();
        PasswordPrompt prompt = text -> {
            asked.incrementAndGet();
            return Optional.of(PASSWORD.toCharArray());
        };

        assertThatThrownBy(() -> resolve(user("lmtpadmin", "SCRAM-SHA-256, XOAUTH"), ConfigFile.NONE, Map.of(), prompt))
                .isInstanceOf(CommandException.class)
                .hasMessageStartingWith("--sasl-mechanisms: invalid value 'SCRAM-SHA-256, XOAUTH': expected a list of");
        assertThat(asked).hasValue(0);
    }

    @Test
    void aPlaintextWarningShouldNameTheOptions() throws CommandException {
        SessionSecurity.Options options = new SessionSecurity.Options(false, "lmtpadmin", null, "encrypt", null, null, null, null, null,
                null, null, null, false, "noanonymous");

        SessionSecurity security = resolve(options, ConfigFile.NONE, Map.of("LMTP_PASSWORD", PASSWORD), PasswordPrompt.NONE);

        assertThat(security.tls().level()).isEqualTo(TlsLevel.ENCRYPT);
        assertThat(security.warnings()).singleElement().asString()
                .startsWith("--sasl-tls-security-options 'noanonymous' allows PLAIN and LOGIN on TLS sessions whose certificate is "
                        + "not verified (--tls encrypt)")
                .contains("prefer --tls verify");
    }
}
