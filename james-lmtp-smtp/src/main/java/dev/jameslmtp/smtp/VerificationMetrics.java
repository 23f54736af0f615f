package dev.jameslmtp.smtp;

import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.MetricFactory;

import dev.jameslmtp.client.Verdict;

/**
 * James metrics of the recipient-verification hook: how each verified recipient was answered at
 * RCPT, and how many probes actually reached the store (the rest came from the cache or from a
 * probe already running).
 */
final class VerificationMetrics {

    static final String ACCEPTED = "lmtpVerifyAcceptedRecipients";
    static final String REFUSED = "lmtpVerifyRefusedRecipients";
    static final String DEFERRED = "lmtpVerifyDeferredRecipients";
    static final String PROBES = "lmtpVerifyProbes";

    private final Metric accepted;
    private final Metric refused;
    private final Metric deferred;
    private final Metric probes;

    VerificationMetrics(MetricFactory factory) {
        this.accepted = factory.generate(ACCEPTED);
        this.refused = factory.generate(REFUSED);
        this.deferred = factory.generate(DEFERRED);
        this.probes = factory.generate(PROBES);
    }

    void probed() {
        probes.increment();
    }

    void answered(Verdict verdict) {
        switch (verdict.disposition()) {
            case DELIVERED -> accepted.increment();
            case PERMANENT_FAILURE -> refused.increment();
            case TEMPORARY_FAILURE -> deferred.increment();
        }
    }
}
