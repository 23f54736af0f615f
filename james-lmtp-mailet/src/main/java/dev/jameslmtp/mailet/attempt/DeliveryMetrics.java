package dev.jameslmtp.mailet.attempt;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.metrics.api.TimeMetric;

import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.mailet.journal.JournalSweeper;
import dev.jameslmtp.mailet.queue.DestinationWindow;

/**
 * James metrics of the mailet: recipients delivered, deferred and bounced (counters), the
 * duration of each attempt (timer), and LMTP transactions, all and those on a reused (cached)
 * connection: their ratio is the connection cache's reuse share; and delivery journals swept. Recipients and attempt time are
 * also kept per destination, named {@code <metric>.<destination>} with the destination written as
 * {@link #token} does, e.g. {@code lmtpDeliveryBouncedRecipients.inet_127.0.0.1_24} or
 * {@code lmtpDeliveryAttempt.unix_run_dovecot_lmtp} (there the timer covers the LMTP exchange
 * with that destination). Each destination's concurrency window and dead state, as gauges:
 * {@code lmtpDeliveryDestinationWindow.<destination>} and {@code lmtpDeliveryDestinationDead.<destination>}.
 */
public final class DeliveryMetrics {

    public static final String DELIVERED = "lmtpDeliveryDeliveredRecipients";
    public static final String DEFERRED = "lmtpDeliveryDeferredRecipients";
    public static final String BOUNCED = "lmtpDeliveryBouncedRecipients";
    public static final String ATTEMPT = "lmtpDeliveryAttempt";
    /** Failed tries to put deferred recipients back on the queue (each is tried again, bounded). */
    public static final String PUT_BACK_FAILURES = "lmtpDeliveryPutBackFailures";
    /** Mail put aside because its destination was at its concurrency limit. */
    public static final String DESTINATION_BUSY = "lmtpDeliveryDestinationBusy";
    /** Per destination ({@code .<destination>}): its concurrency window now, 0 while dead ({@link DestinationWindow}). */
    public static final String DESTINATION_WINDOW = "lmtpDeliveryDestinationWindow";
    /** Per destination ({@code .<destination>}): 1 while the destination is dead, else 0. */
    public static final String DESTINATION_DEAD = "lmtpDeliveryDestinationDead";
    public static final String TRANSACTIONS = "lmtpDeliveryTransactions";
    public static final String REUSED = "lmtpDeliveryTransactionsOnReusedConnections";
    /** Delivery journals removed by {@link JournalSweeper}: their mails had left the queue without them. */
    public static final String JOURNAL_SWEPT = "lmtpDeliveryJournalSwept";

    private final MetricFactory factory;
    private final Metric delivered;
    private final Metric deferred;
    private final Metric bounced;
    private final Metric putBackFailures;
    private final Metric destinationBusy;
    private final Metric transactions;
    private final Metric reused;
    private final Metric journalSwept;
    private final Map<String, Named> byDestination = new ConcurrentHashMap<>();

    public DeliveryMetrics(MetricFactory factory) {
        this.factory = factory;
        this.delivered = factory.generate(DELIVERED);
        this.deferred = factory.generate(DEFERRED);
        this.bounced = factory.generate(BOUNCED);
        this.putBackFailures = factory.generate(PUT_BACK_FAILURES);
        this.destinationBusy = factory.generate(DESTINATION_BUSY);
        this.transactions = factory.generate(TRANSACTIONS);
        this.reused = factory.generate(REUSED);
        this.journalSwept = factory.generate(JOURNAL_SWEPT);
    }

    /** One LMTP transaction, on a reused connection or not. */
    void transaction(boolean onReusedConnection) {
        transactions.increment();
        if (onReusedConnection) {
            reused.increment();
        }
    }

    TimeMetric startAttempt() {
        return factory.timer(ATTEMPT);
    }

    /** The timer of one destination's exchange. */
    TimeMetric startExchange(String destination) {
        return factory.timer(perDestination(destination).exchangeTimer);
    }

    void count(DeliveryResult result) {
        for (int i = 0; i < result.size(); i++) {
            Fate fate = result.verdict(i).fate();
            (switch (fate) {
                case DELIVERED -> delivered;
                case DEFERRED -> deferred;
                case BOUNCED -> bounced;
            }).increment();
            perDestination(result.destination(i)).recipients.get(fate).increment();
        }
    }

    /** A destination's metrics, named once: an attempt counts and times without building names. */
    private Named perDestination(String destination) {
        Named named = byDestination.get(destination);
        if (named == null) {
            EnumMap<Fate, Metric> recipients = new EnumMap<>(Fate.class);
            for (Fate fate : Fate.values()) {
                recipients.put(fate, factory.generate(name(fate) + "." + token(destination)));
            }
            named = new Named(recipients, ATTEMPT + "." + token(destination));
            if (byDestination.size() >= 1_000) {
                byDestination.clear();
            }
            byDestination.put(destination, named);
        }
        return named;
    }

    private record Named(Map<Fate, Metric> recipients, String exchangeTimer) {
    }

    private static String name(Fate fate) {
        return switch (fate) {
            case DELIVERED -> DELIVERED;
            case DEFERRED -> DEFERRED;
            case BOUNCED -> BOUNCED;
        };
    }

    /**
     * A destination as a metric name part: letters, digits, '.' and '-' kept, every run of other
     * characters one '_', none at either end: {@code inet:[127.0.0.1]:24} gives
     * {@code inet_127.0.0.1_24}.
     */
    public static String token(String destination) {
        StringBuilder token = new StringBuilder(destination.length());
        boolean gap = false;
        for (int i = 0; i < destination.length(); i++) {
            char c = destination.charAt(i);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-') {
                if (gap && token.length() > 0) {
                    token.append('_');
                }
                gap = false;
                token.append(c);
            } else {
                gap = true;
            }
        }
        return token.toString(); // by hand: this runs for every attempt, and a regex is compiled at each replaceAll
    }

    public void putBackFailed() {
        putBackFailures.increment();
    }

    public void destinationBusy() {
        destinationBusy.increment();
    }

    /** A destination's window and dead state changed by these amounts (they are published as counters moved up and down). */
    public void destinationWindow(String destination, int windowChange, int deadChange) {
        move(factory.generate(DESTINATION_WINDOW + "." + token(destination)), windowChange);
        move(factory.generate(DESTINATION_DEAD + "." + token(destination)), deadChange);
    }

    private static void move(Metric metric, int change) {
        if (change > 0) {
            metric.add(change);
        } else if (change < 0) {
            metric.remove(-change);
        }
    }

    public void journalSwept(int count) {
        add(journalSwept, count);
    }

    private static void add(Metric metric, int count) {
        if (count > 0) {
            metric.add(count);
        }
    }
}
