package dev.jameslmtp.mailet.attempt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class DeliveryMetricsTest {

    /** The definition the hand-written {@link DeliveryMetrics#token} keeps. */
    private static String byRegex(String destination) {
        return destination.replaceAll("[^A-Za-z0-9.-]+", "_").replaceAll("^_+|_+$", "");
    }

    @Test
    void tokenShouldKeepLettersDigitsDotsAndDashesWithOneUnderscorePerRunOfAnythingElse() {
        assertThat(DeliveryMetrics.token("inet:[127.0.0.1]:24")).isEqualTo("inet_127.0.0.1_24");
        assertThat(DeliveryMetrics.token("inet:[127.0.0.1]:24, inet:[::1]:2424")).isEqualTo("inet_127.0.0.1_24_inet_1_2424");
        assertThat(DeliveryMetrics.token("unix:/run/dovecot/lmtp")).isEqualTo("unix_run_dovecot_lmtp");
        assertThat(DeliveryMetrics.token("(no destination)")).isEqualTo("no_destination");
        assertThat(DeliveryMetrics.token("__")).isEmpty();
        assertThat(DeliveryMetrics.token("")).isEmpty();
    }

    @Test
    void tokenShouldAgreeWithItsRegexDefinitionOnAnyText() {
        Random random = new Random(20261207);
        String alphabet = "aZ09.-_:[]/, \t\u00e9\u202E";
        for (int n = 0; n < 20_000; n++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(24);
            for (int i = 0; i < length; i++) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            assertThat(DeliveryMetrics.token(text.toString())).as("token of '%s'", text).isEqualTo(byRegex(text.toString()));
        }
        for (String text : List.of("inet:lmtp.example.com:24", "inet:[2001:db8::1]:24", "_a_", "-a-", "..")) {
            assertThat(DeliveryMetrics.token(text)).isEqualTo(byRegex(text));
        }
    }
}
