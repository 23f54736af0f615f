package dev.jameslmtp.client.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.Envelope;
import dev.jameslmtp.client.LmtpClient;
import dev.jameslmtp.client.Recipient;

class WireSafetyTest {

    @ParameterizedTest
    @ValueSource(strings = {"a@b\r\nDATA", "a@b\n", "a@b\r", "a\u0000@b", "a\u0007@b", "a@b\u007f", "a\t@b"})
    void recipientShouldRejectControlCharactersAndNotEchoThem(String address) {
        assertThatThrownBy(() -> Recipient.of(address))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("recipient address contains a control character")
                .hasMessageNotContaining("DATA");
    }

    @Test
    void senderShouldRejectControlCharacters() {
        assertThatThrownBy(() -> Envelope.of("evil@x\r\nRCPT TO:<victim@y>", "a@b"))
                .hasMessageStartingWith("sender address contains a control character");
    }

    @Test
    void addressesShouldRejectAngleBracketsAndOverlongPaths() {
        assertThatThrownBy(() -> Recipient.of("a@b> NOTIFY=NEVER")).hasMessageContaining("'<' or '>'");
        assertThatThrownBy(() -> Recipient.of("a".repeat(250) + "@b.test")).hasMessageContaining("limit is 256");
    }

    @Test
    void envelopeShouldAcceptNullSenderAndUtf8Addresses() {
        assertThatCode(() -> Envelope.of("", "j\u00f6rg@example.test")).doesNotThrowAnyException();
        assertThat(WireSafety.needsSmtpUtf8("j\u00f6rg@example.test")).isTrue();
        assertThat(WireSafety.needsSmtpUtf8("jorg@example.test")).isFalse();
    }

    @Test
    void lhloNameShouldRejectSpacesAndControls() {
        assertThatThrownBy(() -> LmtpClient.builder().lhloName("host\r\nMAIL FROM:<x>"))
                .hasMessageStartingWith("LHLO name contains a control character").hasMessageNotContaining("MAIL");
        assertThatThrownBy(() -> LmtpClient.builder().lhloName("two words")).hasMessageContaining("without spaces");
        assertThatThrownBy(() -> LmtpClient.builder().lhloName("")).hasMessageContaining("non-empty");
        assertThatCode(() -> LmtpClient.builder().lhloName("[127.0.0.1]")).doesNotThrowAnyException();
    }

    @Test
    void dsnParametersShouldBeXtext() {
        assertThatThrownBy(() -> new Recipient("a@b", Optional.of("SUCCESS FAILURE"), Optional.empty()))
                .hasMessageContaining("NOTIFY contains 'space'");
        assertThatThrownBy(() -> new Recipient("a@b", Optional.empty(), Optional.of("rfc822;a@b\r\n")))
                .hasMessageContaining("ORCPT contains a control character");
        assertThatThrownBy(() -> new Recipient("a@b", Optional.empty(), Optional.of("a@b")))
                .hasMessageContaining("addr-type;xtext");
        assertThatThrownBy(() -> new Envelope("a@b", java.util.List.of(Recipient.of("c@d")), Optional.of("ALL"), Optional.empty()))
                .hasMessageContaining("RET must be FULL or HDRS");
    }
}
