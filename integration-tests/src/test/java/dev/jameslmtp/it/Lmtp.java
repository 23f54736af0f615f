package dev.jameslmtp.it;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/** What the LmtpDelivery scenarios share: the mailet's parameters, its counters, bounded waits. */
final class Lmtp {

    static final String MAILET = "dev.jameslmtp.mailet.LmtpDelivery";
    static final String QUEUE = "lmtp-it";
    static final String DELIVERED = "lmtpDeliveryDeliveredRecipients";
    static final String DEFERRED = "lmtpDeliveryDeferredRecipients";
    static final String BOUNCED = "lmtpDeliveryBouncedRecipients";

    /** Long enough for a few retries on the short test schedules, short enough to fail fast. */
    static final ConditionFactory AWAIT = Awaitility.await()
            .atMost(Duration.ofSeconds(45))
            .pollDelay(Duration.ofMillis(50))
            .pollInterval(Duration.ofMillis(100));

    private Lmtp() {
    }

    /**
     * LmtpDelivery's parameters for a test: RFC 3464 bounces written by the mailet (the default
     * bounceMode), retries every second, three retries, short timeouts. Returns a mutable copy to
     * adjust.
     */
    static Map<String, String> parameters(String destinationParameter, String value) {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put(destinationParameter, value);
        parameters.put("lhloName", "james." + EmbeddedJames.LOCAL_DOMAIN);
        parameters.put("outgoing", QUEUE);
        parameters.put("delayTime", "3*1 second");
        parameters.put("maxRetries", "3");
        parameters.put("connectTimeout", "2 seconds");
        parameters.put("dotTimeout", "20 seconds");
        return parameters;
    }

    static Map<String, String> toDestination(String destination) {
        return parameters("destination", destination);
    }

    /** A destination as it appears in the per-destination metric names ({@code lmtpDeliveryBouncedRecipients.inet_127.0.0.1_24}). */
    static String metricToken(String destination) {
        return dev.jameslmtp.client.Destination.parse(destination).toString().replaceAll("[^A-Za-z0-9.-]+", "_").replaceAll("^_+|_+$", "");
    }
}
