package dev.jameslmtp.client.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.sasl.Mechanism;
import dev.jameslmtp.client.sasl.SecurityOptions;

class PasswordMapTest {

    @Test
    void parseShouldSplitAtTheFirstColonAndIgnoreCommentsBlankLinesAndSurroundingSpace() {
        PasswordMap map = PasswordMap.parse(List.of(
                "# the stores",
                "",
                "   [10.0.0.5]:24    alice:pa:ss word  ",
                "\tLMTP.Example.com bob:secret"), "sasl_passwd");

        assertThat(map.lookup(List.of("[10.0.0.5]:24"))).hasValue(Credentials.of("alice", "pa:ss word"));
        assertThat(map.lookup(List.of("lmtp.example.COM"))).hasValue(Credentials.of("bob", "secret"));
        assertThat(map.lookup(List.of("nowhere"))).isEmpty();
    }

    @Test
    void lookupShouldTakeTheFirstKeyThatHasAnEntry() {
        PasswordMap map = PasswordMap.parse(List.of("host a:1", "host:24 b:2"), "m");

        assertThat(map.lookup(List.of("other", "host:24", "host"))).hasValue(Credentials.of("b", "2"));
    }

    @Test
    void parseShouldNameTheLineButNeverItsContent() {
        assertThatThrownBy(() -> PasswordMap.parse(List.of("ok a:b", "bad-line-without-colon s3cr3t"), "/etc/lmtp/sasl_passwd"))
                .isInstanceOf(PasswordMapException.class)
                .hasMessage("password map /etc/lmtp/sasl_passwd, line 2: the value has no ':' (expected 'key user:password')")
                .hasMessageNotContaining("s3cr3t");
        assertThatThrownBy(() -> PasswordMap.parse(List.of("host :s3cr3t"), "m"))
                .hasMessageContaining("line 1: the user before ':' is empty");
        assertThatThrownBy(() -> PasswordMap.parse(List.of("host"), "m"))
                .hasMessageContaining("line 1: a key without a value");
        assertThatThrownBy(() -> PasswordMap.parse(List.of("host a:s3cr3t", "HOST b:c"), "m"))
                .hasMessage("password map m, line 2: the key of this line is also the key of line 1").hasMessageNotContaining("s3cr3t");
    }

    @Test
    void aPasswordWrittenInTheKeyColumnTwiceShouldNotBeEchoedInTheError() {
        // the operator put user:password where the key goes, twice
        List<String> lines = List.of("# store", "alice:s3cret-nOt4LoGs [127.0.0.1]:24", "", "alice:s3cret-nOt4LoGs [127.0.0.1]:2424");

        assertThatThrownBy(() -> PasswordMap.parse(lines, "/etc/james/lmtp_sasl_passwd"))
                .isInstanceOf(PasswordMapException.class)
                .hasMessage("password map /etc/james/lmtp_sasl_passwd, line 4: the key of this line is also the key of line 2")
                .hasMessageNotContaining("alice").hasMessageNotContaining("s3cret");
    }

    @Test
    void keysShouldFollowPostfixOrderHostThenNextHopAsWritten() {
        assertThat(PasswordMapKeys.of(Destination.parse("inet:lmtp.example:24"), "me.example"))
                .containsExactly("lmtp.example", "lmtp.example:24", "[lmtp.example]:24", "[lmtp.example]");
        assertThat(PasswordMapKeys.of(Destination.parse("[10.0.0.5]:2424"), "me.example"))
                .containsExactly("10.0.0.5", "[10.0.0.5]:2424");
        assertThat(PasswordMapKeys.of(Destination.parse("unix:/run/cyrus/lmtp"), "me.example"))
                .containsExactly("me.example", "/run/cyrus/lmtp");
    }

    @Test
    void credentialsAndSecretsShouldNeverShowThePassword() {
        Credentials credentials = Credentials.of("alice", "s3cr3t");

        assertThat(credentials.toString()).contains("alice").doesNotContain("s3cr3t");
        assertThat(credentials.password().toString()).doesNotContain("s3cr3t");
        assertThat(credentials.identity().toString()).isEqualTo("alice");
        assertThat(credentials.identity()).isEqualTo(Credentials.of("alice", "s3cr3t").identity())
                .isNotEqualTo(Credentials.of("alice", "other").identity());
        assertThat(credentials.identity().passwordFingerprint()).doesNotContain("s3cr3t");
    }

    @Test
    void securityOptionsShouldParsePostfixWordsAndRefuseOthers() {
        assertThat(SecurityOptions.parse("noplaintext, noanonymous")).isEqualTo(SecurityOptions.DEFAULT);
        assertThat(SecurityOptions.parse("noanonymous").allows(Mechanism.PLAIN)).isTrue();
        assertThat(SecurityOptions.DEFAULT.allows(Mechanism.LOGIN)).isFalse();
        assertThat(SecurityOptions.DEFAULT.allows(Mechanism.CRAM_MD5)).isTrue();
        assertThatThrownBy(() -> SecurityOptions.parse("noplaintext, mutual_auth")).hasMessageContaining("'mutual_auth'");
    }
}
