package dev.jameslmtp.conf;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.LmtpClient;

/** The LHLO name when none is configured, one rule for the mailet and the SMTP hook. */
class DefaultLhloNameTest {

    @Test
    void jamesDefaultDomainShouldBeTheName() {
        assertThat(ParameterValues.defaultLhloName(() -> "james.example")).isEqualTo("james.example");
    }

    @Test
    void aDomainListThatFailsShouldGiveThisHostsName() {
        assertThat(ParameterValues.defaultLhloName(() -> {
            throw new IllegalStateException("no default domain configured");
        })).isEqualTo(LmtpClient.localHostName());
    }
}
