package dev.jameslmtp.it;

import javax.inject.Inject;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.utils.GuiceProbe;

/** The current value of a James counter (e.g. LmtpDelivery's {@code lmtpDeliveryDeferredRecipients}). */
public final class MetricsProbe implements GuiceProbe {

    private final MetricFactory metricFactory;

    @Inject
    MetricsProbe(MetricFactory metricFactory) {
        this.metricFactory = metricFactory;
    }

    public long count(String metricName) {
        return metricFactory.generate(metricName).getCount();
    }
}
