package dev.jameslmtp.conf;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;

/** The mailet's init parameters as the tests write them, parsed with {@code default.test} as the default LHLO name. */
final class MailetParameters {

    static final String DESTINATION = "unix:/run/dovecot/lmtp";

    private MailetParameters() {
    }

    /** {@code destination} {@value #DESTINATION}, then the given keys and values; a null value removes its key. */
    static LmtpDeliveryConfiguration parse(String... keysAndValues) {
        return parseFor(DESTINATION, keysAndValues);
    }

    /** As {@link #parse}, with another {@code destination}. */
    static LmtpDeliveryConfiguration parseFor(String destination, String... keysAndValues) {
        Map<String, String> parameters = new HashMap<>();
        parameters.put("destination", destination);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (keysAndValues[i + 1] == null) {
                parameters.remove(keysAndValues[i]);
            } else {
                parameters.put(keysAndValues[i], keysAndValues[i + 1]);
            }
        }
        return LmtpDeliveryConfiguration.parse(parameters, () -> "default.test");
    }

    /** Parsing {@code key = value} fails naming the parameter and the value, and says {@code acceptedForm}. */
    static void assertRejected(String key, String value, String acceptedForm) {
        assertThatThrownBy(() -> parse(key, value))
                .isInstanceOf(ConfigurationError.class)
                .hasMessageStartingWith("parameter '" + key + "': invalid value '" + value + "'")
                .hasMessageContaining(acceptedForm);
    }
}
