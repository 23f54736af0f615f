package dev.jameslmtp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jameslmtp.client.LmtpClient;
import dev.jameslmtp.client.session.Stage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the destination, sender, LHLO name, timeouts and transcript are chosen; no sockets. */
class SettingsTest {

    private static final List<String> BOB = List.of("bob@example.test");

    @TempDir
    Path dir;

    private static Settings.Options options(String destination, String server, String port, Path config) {
        return new Settings.Options(destination, server, port, null, BOB, null, config, null, false);
    }

    @Test
    void destinationShouldDefaultToLocalhostPort24() throws Exception {
        assertThat(Settings.resolve(options(null, null, null, null), Map.of()).destination())
                .hasToString("inet:localhost:24");
    }

    @Test
    void environmentVariableShouldBeUsedWhenNothingElseIsGiven() throws Exception {
        assertThat(Settings.resolve(options(null, null, null, null), Map.of("LMTP_DESTINATION", "unix:/run/lmtp")).destination())
                .hasToString("unix:/run/lmtp");
    }

    @Test
    void quitTimeoutShouldBeShortByDefaultSinceTheReportIsOutBeforeQuit() throws Exception {
        Settings settings = Settings.resolve(options(null, null, null, null), Map.of());

        assertThat(settings.timeouts().of(Stage.QUIT)).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.timeouts().of(Stage.DOT)).isEqualTo(Stage.DOT.defaultTimeout());
    }

    @Test
    void configFileShouldWinOverEnvironmentAndCommandLineOverBoth() throws Exception {
        Path config = dir.resolve("lmtp.conf");
        Files.writeString(config, "destination = inet:[10.0.0.1]:2424\nsender = conf@example.test\nlhlo = conf.example\n"
                + "timeout = 7s\ntranscript = yes\n");
        Map<String, String> env = Map.of("LMTP_DESTINATION", "unix:/env");

        Settings fromFile = Settings.resolve(options(null, null, null, config), env);
        assertThat(fromFile.destination()).hasToString("inet:[10.0.0.1]:2424");
        assertThat(fromFile.envelope().sender()).isEqualTo("conf@example.test");
        assertThat(fromFile.lhlo()).contains("conf.example");
        assertThat(fromFile.timeouts().of(Stage.DOT)).isEqualTo(Duration.ofSeconds(7));
        assertThat(fromFile.transcript()).isTrue();

        Settings fromCommandLine = Settings.resolve(new Settings.Options("unix:/cli", null, null, "cli@example.test", BOB,
                "cli.example", config, "3s", false), env);
        assertThat(fromCommandLine.destination()).hasToString("unix:/cli");
        assertThat(fromCommandLine.envelope().sender()).isEqualTo("cli@example.test");
        assertThat(fromCommandLine.lhlo()).contains("cli.example");
        assertThat(fromCommandLine.timeouts().of(Stage.CONNECT)).isEqualTo(Duration.ofSeconds(3));

        assertThat(Settings.resolve(options(null, "mx.example.test", null, config), env).destination())
                .hasToString("inet:mx.example.test:24");
    }

    @Test
    void serverAndPortShouldBuildAnInetDestination() throws Exception {
        assertThat(Settings.resolve(options(null, "mail.example.com", null, null), Map.of()).destination())
                .hasToString("inet:mail.example.com:24");
        assertThat(Settings.resolve(options(null, "127.0.0.1", "2424", null), Map.of()).destination())
                .hasToString("inet:[127.0.0.1]:2424");
        assertThat(Settings.resolve(options(null, "::1", "2424", null), Map.of()).destination())
                .hasToString("inet:[ipv6:::1]:2424");
        assertThat(Settings.resolve(options(null, null, "2424", null), Map.of()).destination())
                .hasToString("inet:localhost:2424");
    }

    @Test
    void defaultSenderShouldBeUserAtLocalHostName() throws Exception {
        assertThat(Settings.resolve(options(null, null, null, null), Map.of("USER", "alice")).envelope().sender())
                .isEqualTo("alice@" + LmtpClient.localHostName());
        assertThat(Settings.defaultSender(Map.of("LOGNAME", "bob"))).isEqualTo("bob@" + LmtpClient.localHostName());
    }

    @Test
    void nullSenderShouldBeWrittenEmptyOrAsAngleBrackets() throws Exception {
        for (String nullSender : List.of("", "<>", " <> ")) {
            assertThat(Settings.resolve(new Settings.Options(null, null, null, nullSender, BOB, null, null, null, false), Map.of())
                    .envelope().sender()).isEmpty();
        }
    }

    @Test
    void problemsShouldBeUsageErrorsNamingTheirSource() {
        assertThatThrownBy(() -> Settings.resolve(options("unix:/x", "h", null, null), Map.of()))
                .hasMessage("-d and -s/-p both name the server; give one or the other");
        assertThatThrownBy(() -> Settings.resolve(options("inet:host:25", null, null, null), Map.of()))
                .hasMessageStartingWith("-d: malformed LMTP destination 'inet:host:25'");
        assertThatThrownBy(() -> Settings.resolve(options(null, "host", "x", null), Map.of()))
                .hasMessageStartingWith("-s: malformed LMTP destination");
        assertThatThrownBy(() -> Settings.resolve(options(null, "unix:/run/lmtp", null, null), Map.of()))
                .hasMessageStartingWith("-s takes a host name or address");
        assertThatThrownBy(() -> Settings.resolve(options(null, null, null, null), Map.of("LMTP_DESTINATION", "inet:")))
                .hasMessageStartingWith("$LMTP_DESTINATION: malformed LMTP destination");
        assertThatThrownBy(() -> Settings.resolve(new Settings.Options(null, null, null, null, List.of(), null, null, null, false), Map.of()))
                .hasMessage("no recipient: give at least one with -t or as an argument");
        assertThatThrownBy(() -> Settings.resolve(new Settings.Options(null, null, null, null, List.of("a@b", "x\r\nRSET"), null, null, null, false), Map.of()))
                .hasMessageStartingWith("recipient 2: recipient address contains a control character");
        assertThatThrownBy(() -> Settings.resolve(new Settings.Options(null, null, null, "a<b", BOB, null, null, null, false), Map.of()))
                .hasMessageStartingWith("-f: sender address contains '<' or '>'");
        assertThatThrownBy(() -> Settings.resolve(new Settings.Options(null, null, null, null, BOB, "bad name", null, null, false), Map.of()))
                .hasMessageStartingWith("-l: LHLO name must be");
        assertThatThrownBy(() -> Settings.resolve(new Settings.Options(null, null, null, null, BOB, null, null, "0", false), Map.of()))
                .hasMessage("--timeout: '0' is not a positive duration");
    }
}
