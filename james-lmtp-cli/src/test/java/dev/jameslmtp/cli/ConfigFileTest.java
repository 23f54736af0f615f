package dev.jameslmtp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {

    @TempDir
    Path dir;

    @Test
    void readShouldParseEveryKeyAndSkipCommentsAndBlankLines() throws Exception {
        Path file = dir.resolve("lmtp.conf");
        Files.writeString(file, "# defaults\n\ndestination = unix:/run/dovecot/lmtp\nlhlo=mx1.example.com\n"
                + "  sender =  <postmaster@example.com>  \ntimeout = 2m\ntranscript = yes\n");

        ConfigFile config = ConfigFile.read(file);

        assertThat(config.destination()).hasValueSatisfying(d -> assertThat(d).hasToString("unix:/run/dovecot/lmtp"));
        assertThat(config.lhlo()).contains("mx1.example.com");
        assertThat(config.sender()).contains("postmaster@example.com");
        assertThat(config.timeout()).contains(Duration.ofMinutes(2));
        assertThat(config.transcript()).contains(true);
    }

    @Test
    void emptySenderShouldBeTheNullSender() throws Exception {
        assertThat(ConfigFile.parse("f", List.of("sender =")).sender()).contains("");
        assertThat(ConfigFile.parse("f", List.of("sender = <>")).sender()).contains("");
    }

    @Test
    void unknownKeyShouldNameFileLineAndKey() {
        assertThatThrownBy(() -> ConfigFile.parse("/etc/lmtp.conf", List.of("# x", "destinaton = unix:/x")))
                .isInstanceOf(CommandException.class)
                .hasMessage("/etc/lmtp.conf:2: unknown key 'destinaton' (keys: destination, lhlo, sender, timeout, transcript, auth, user, "
                        + "password-map, tls, tls-ca, tls-cert, tls-key, tls-truststore, tls-keystore, sasl-mechanisms, sasl-channel-binding, "
                        + "sasl-scram-max-iterations, require-auth, sasl-tls-security-options)")
                .satisfies(e -> assertThat(((CommandException) e).status()).isEqualTo(ExitStatus.USAGE));
    }

    @Test
    void securityKeysShouldBeReadButAPasswordKeyRefusedWithoutEchoingIt() throws Exception {
        ConfigFile config = ConfigFile.parse("f", List.of("auth = yes", "user = lmtpadmin", "tls = verify", "tls-ca = /etc/ca.pem",
                "password-map = /etc/lmtp/sasl_passwd"));

        assertThat(config.security("auth")).contains("true");
        assertThat(config.security("user")).contains("lmtpadmin");
        assertThat(config.security("tls-ca")).contains("/etc/ca.pem");
        assertThatThrownBy(() -> ConfigFile.parse("f", List.of("password = s3cr3t-nOt4LoGs")))
                .hasMessageContaining("unknown key 'password'").hasMessageNotContaining("s3cr3t");
    }

    @Test
    void badValueShouldNameFileLineAndKey() {
        assertThatThrownBy(() -> ConfigFile.parse("c.conf", List.of("destination = inet:mail.example.com:25")))
                .hasMessageStartingWith("c.conf:1: key 'destination': malformed LMTP destination")
                .hasMessageContaining("port 25");
        assertThatThrownBy(() -> ConfigFile.parse("c.conf", List.of("", "timeout = soon")))
                .hasMessageStartingWith("c.conf:2: key 'timeout': 'soon' is not a duration");
        assertThatThrownBy(() -> ConfigFile.parse("c.conf", List.of("transcript = maybe")))
                .hasMessage("c.conf:1: key 'transcript': expected yes or no");
        assertThatThrownBy(() -> ConfigFile.parse("c.conf", List.of("lhlo = two words")))
                .hasMessageStartingWith("c.conf:1: key 'lhlo': LHLO name must be");
    }

    @Test
    void lineWithoutEqualsAndRepeatedKeyShouldBeErrors() {
        assertThatThrownBy(() -> ConfigFile.parse("c.conf", List.of("destination unix:/x")))
                .hasMessageStartingWith("c.conf:1: expected 'key = value'");
        assertThatThrownBy(() -> ConfigFile.parse("c.conf", List.of("lhlo = a", "lhlo = b")))
                .hasMessage("c.conf:2: key 'lhlo' is given twice");
    }

    @Test
    void missingFileShouldBeAUsageError() {
        Path missing = dir.resolve("missing.conf");
        assertThatThrownBy(() -> ConfigFile.read(missing))
                .hasMessage("cannot read configuration file " + missing + ": no such file");
    }
}
