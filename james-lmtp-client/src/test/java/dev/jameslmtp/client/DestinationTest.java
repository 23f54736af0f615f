package dev.jameslmtp.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class DestinationTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "inet:mail.example.test,          mail.example.test, 24,   false",
            "inet:mail.example.test:2424,     mail.example.test, 2424, false",
            "inet:mail.example.test:lmtp,     mail.example.test, 24,   false",
            "'inet:[127.0.0.1]',              127.0.0.1,         24,   true",
            "'inet:[127.0.0.1]:2424',         127.0.0.1,         2424, true",
            "'inet:[ipv6:::1]:2424',          ::1,               2424, true",
            "'inet:[IPv6:2001:db8::1]',       2001:db8::1,       24,   true",
            "'[::1]:24',                      ::1,               24,   true",
            "localhost:2424,                  localhost,         2424, false",
            "localhost,                       localhost,         24,   false",
            "'[10.0.0.5]:24',                 10.0.0.5,          24,   true",
            "INET:Host-1.example:24,          Host-1.example,    24,   false",
    })
    void parseShouldAcceptPostfixInetForms(String text, String host, int port, boolean numeric) {
        assertThat(Destination.parse(text)).isEqualTo(new Destination.Inet(host, port, numeric));
    }

    @Test
    void parseShouldAcceptUnixSockets() {
        assertThat(Destination.parse("unix:/run/dovecot/lmtp")).isEqualTo(new Destination.Unix(Path.of("/run/dovecot/lmtp")));
        assertThat(Destination.parse("unix:private/dovecot-lmtp")).isEqualTo(new Destination.Unix(Path.of("private/dovecot-lmtp")));
    }

    @Test
    void toStringShouldBeCanonicalAndParseBack() {
        for (String text : new String[] {"inet:[ipv6:::1]:2424", "inet:[127.0.0.1]:24", "inet:mail.example.test:24", "unix:/run/x"}) {
            assertThat(Destination.parse(text)).hasToString(text);
            assertThat(Destination.parse(Destination.parse(text).toString())).isEqualTo(Destination.parse(text));
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            inet:mail.example.test:25    | port 25 is the SMTP port
            inet:[127.0.0.1]:25          | port 25 is the SMTP port
            inet:host:0                  | port '0'
            inet:host:65536              | port '65536'
            inet:host:abc                | port 'abc'
            inet:host:                   | port ''
            inet:                        | the host after 'inet:' is empty
            unix:                        | the socket path after 'unix:' is empty
            inet:[127.0.0.1              | '[' without a closing ']'
            inet:[127.0.0.1]x            | unexpected 'x' after ']'
            inet:[300.1.1.1]             | not a valid IPv4 address
            inet:[mail.example.test]     | is not a numeric address
            inet:[]                      | the address inside [] is empty
            inet:ho st:24                | is not a valid host name
            inet:host_!:24               | is not a valid host name
            ::1                          | contains ':'
            :24                          | the host is empty
            """)
    void parseShouldNameTheMalformedPart(String text, String problem) {
        assertThatThrownBy(() -> Destination.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'")
                .hasMessageContaining(problem);
    }

    @Test
    void parseShouldRejectControlCharactersWithoutEchoingThem() {
        assertThatThrownBy(() -> Destination.parse("inet:host\r\nRCPT TO:<x>"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("destination contains a control character")
                .hasMessageNotContaining("RCPT");
        assertThatThrownBy(() -> Destination.parse("  ")).hasMessageContaining("destination is empty");
    }
}
