package dev.jameslmtp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DebugSwitchTest {

    @Test
    void dashDFollowedByAnOptionShouldMeanDebug() {
        assertThat(DebugSwitch.rewrite("-d", "-f", "user@example.com", "-t", "recipient@example.com"))
                .containsExactly("--debug", "-f", "user@example.com", "-t", "recipient@example.com");
    }

    @Test
    void dashDAtTheEndShouldMeanDebug() {
        assertThat(DebugSwitch.rewrite("-t", "bob@example.com", "-d")).containsExactly("-t", "bob@example.com", "--debug");
    }

    @Test
    void dashDFollowedByAValueShouldStayADestination() {
        assertThat(DebugSwitch.rewrite("-d", "unix:/run/lmtp", "-t", "bob@example.com"))
                .containsExactly("-d", "unix:/run/lmtp", "-t", "bob@example.com");
        assertThat(DebugSwitch.rewrite("-d", "inet:127.0.0.1:2424")).containsExactly("-d", "inet:127.0.0.1:2424");
    }

    @Test
    void dashDFollowedByEndOfOptionsShouldMeanDebug() {
        assertThat(DebugSwitch.rewrite("-d", "--", "bob@example.com")).containsExactly("--debug", "--", "bob@example.com");
    }

    @Test
    void valuesOfOtherOptionsShouldNotBeRewritten() {
        assertThat(DebugSwitch.rewrite("-f", "-d", "-t", "x")).containsExactly("-f", "-d", "-t", "x");
        assertThat(DebugSwitch.rewrite("-l", "client.example", "-d")).containsExactly("-l", "client.example", "--debug");
    }

    @Test
    void argumentsAfterEndOfOptionsShouldBeLeftAlone() {
        assertThat(DebugSwitch.rewrite("--", "-d")).containsExactly("--", "-d");
    }

    @Test
    void attachedOrLongFormsShouldBeLeftAlone() {
        assertThat(DebugSwitch.rewrite("-dunix:/x", "--destination", "-weird", "-d=inet:h:24"))
                .containsExactly("-dunix:/x", "--destination", "-weird", "-d=inet:h:24");
    }
}
