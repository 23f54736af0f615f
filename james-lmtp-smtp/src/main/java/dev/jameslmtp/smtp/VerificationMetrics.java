package dev.jameslmtp.smtp;

import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.MetricFactory;

import dev.jameslmtp.client.outcome.Verdict;

/**
 * James metrics of the recipient-verification hook: how each verified recipient was answered at
 * RCPT (accepted, refused, deferred: every 4xx), why some were deferred without an answer from the
 * store (a probe in progress, the store failed recently, the probe queue full), and how many
 * probes actually reached the store (the rest came from the cache or from a probe already running).
 */
final class VerificationMetrics {

    static final String ACCEPTED = "lmtpVerifyAcceptedRecipients";
    static final String REFUSED = "lmtpVerifyRefusedRecipients";
    static final String DEFERRED = "lmtpVerifyDeferredRecipients";
    static final String PROBES = "lmtpVerifyProbes";
    static final String IN_PROGRESS = "lmtpVerifyInProgress";
    static final String STORE_FAILED_RECENTLY = "lmtpVerifyStoreFailedRecently";
    static final String QUEUE_FULL = "lmtpVerifyProbeQueueFull";

    private final Metric accepted;
    private final Metric refused;
    private final Metric deferred;
    private final Metric probes;
    private final Metric inProgress;
    private final Metric storeFailedRecently;
    private final Metric queueFull;

    VerificationMetrics(MetricFactory factory) {
        this.accepted = factory.generate(ACCEPTED);
        this.refused = factory.generate(REFUSED);
        this.deferred = factory.generate(DEFERRED);
        this.probes = factory.generate(PROBES);
        this.inProgress = factory.generate(IN_PROGRESS);
        this.storeFailedRecently = factory.generate(STORE_FAILED_RECENTLY);
        this.queueFull = factory.generate(QUEUE_FULL);
    }

    void probed() {
        probes.increment();
    }

    /** Answered "verification in progress" (450 4.1.1). */
    void answeredInProgress() {
        deferred.increment();
        inProgress.increment();
    }

    /** Answered with the failure of the recipient's store within {@code temporaryExpireTime}, without a probe. */
    void answeredStoreFailedRecently() {
        deferred.increment();
        storeFailedRecently.increment();
    }

    /** Answered "verification busy": no probe thread and no room in the queue. */
    void answeredQueueFull() {
        deferred.increment();
        queueFull.increment();
    }

    void answered(Verdict verdict) {
        switch (verdict.fate()) {
            case DELIVERED -> accepted.increment();
            case BOUNCED -> refused.increment();
            case DEFERRED -> deferred.increment();
        }
    }
}
