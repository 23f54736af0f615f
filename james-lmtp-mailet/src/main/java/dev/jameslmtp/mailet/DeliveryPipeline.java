package dev.jameslmtp.mailet;

import java.time.Clock;
import java.time.Duration;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.queue.api.MailQueue;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.client.LmtpClient;
import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.pool.ConnectionPool;
import dev.jameslmtp.client.wire.Transcript;
import dev.jameslmtp.conf.LmtpClientFactory;
import dev.jameslmtp.conf.LmtpDeliveryConfiguration;
import dev.jameslmtp.mailet.attempt.DeliveryAttempt;
import dev.jameslmtp.mailet.attempt.DeliveryMetrics;
import dev.jameslmtp.mailet.attempt.OutcomeDispatcher;
import dev.jameslmtp.mailet.attempt.UnstoredRecipientsException;
import dev.jameslmtp.mailet.health.HealthCheckSettings;
import dev.jameslmtp.mailet.health.StoreChecks;
import dev.jameslmtp.mailet.journal.DeliveryJournal;
import dev.jameslmtp.mailet.queue.DeliveryConsumer;
import dev.jameslmtp.mailet.queue.DestinationLimits;
import dev.jameslmtp.mailet.queue.DestinationWindow;
import dev.jameslmtp.mailet.queue.QueueIntake;
import dev.jameslmtp.mailet.queue.WaitQueues;
import dev.jameslmtp.mailet.report.Bounces;
import dev.jameslmtp.mailet.report.ProtocolNotices;

/**
 * The running parts of one {@link LmtpDelivery}, wired once its parameters are read and its queue
 * claimed: the queue (behind {@link WaitQueues}), the intake that puts mail on it, the attempt
 * with what it reports to (bounces, metrics, protocol notices), the consumer, the journal and its
 * sweeper, the store checks. {@link #start} starts the consumer; {@link #close} stops every part,
 * the consumer first, the queue last. The path of one mail through them: {@code docs/architecture.md}.
 */
public final class DeliveryPipeline implements AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(DeliveryPipeline.class);

    /** What James gives every part: its mailet context, metrics, the LMTP client, the connection cache, a clock. */
    record James(MailetContext context, MetricFactory metricFactory, LmtpClientFactory clientFactory, ConnectionPool pool, Clock clock) {
    }

    private final LmtpDeliveryConfiguration configuration;
    private final MailQueue queue;
    private final DeliveryJournal journal;
    private final QueueIntake intake;
    private final DeliveryAttempt attempt;
    private final DeliveryConsumer consumer;
    private final DeliveryJournal.Sweeper sweeper;
    private final StoreChecks storeChecks;

    /**
     * @param queue   the mailet's queue, behind its wait queues when it has them
     * @param journal the delivery journal, opened; closed by {@link #close}
     */
    DeliveryPipeline(LmtpDeliveryConfiguration configuration, MailQueue queue, DeliveryJournal journal, James james,
                     HealthCheckSettings healthChecks, Duration journalMaxAge, Duration shutdownGrace) {
        this.configuration = configuration;
        this.queue = queue;
        this.journal = journal;
        this.intake = new QueueIntake(queue, configuration.routing(), james.clock());
        DeliveryMetrics metrics = new DeliveryMetrics(james.metricFactory());
        Bounces bounces = Bounces.of(james.context(), configuration, james.clock());
        OutcomeDispatcher dispatcher = new OutcomeDispatcher(queue, james.context(), bounces, configuration, james.clock(), metrics);
        LmtpClient client = james.clientFactory().create(configuration, Transcript.NONE); // one for every attempt and check
        this.attempt = new DeliveryAttempt(configuration, client, dispatcher, metrics, james.pool(),
                new ProtocolNotices(james.context(), configuration.lhloName(), james.clock()));
        this.consumer = new DeliveryConsumer(queue, attempt, DestinationLimits.shared(), DestinationWindow.Settings.of(configuration),
                james.context(), metrics, shutdownGrace, journal);
        this.sweeper = journal.startSweeper(journalMaxAge, james.clock(), metrics, "lmtp-journal-sweeper-" + configuration.outgoing());
        this.storeChecks = new StoreChecks("queue " + configuration.outgoing(), configuration.routing()::destinations,
                () -> client, healthChecks, james.clock());
    }

    /** Starts taking mail off the queue, and moving due mail off the wait queues. */
    void start() {
        consumer.start();
        WaitQueues.start(queue);
    }

    /** Puts {@code mail} on the queue ({@link QueueIntake}). */
    void accept(Mail mail) throws javax.mail.MessagingException {
        intake.accept(mail);
    }

    @Override
    public void close() {
        storeChecks.close();
        consumer.dispose();
        sweeper.close();
        journal.close();
        try {
            queue.close();
        } catch (Exception e) {
            LOGGER.debug("error closing queue {}", configuration.outgoing(), e);
        }
    }

    /** One attempt on {@code mail}, synchronously, outside the consumer: for tests that drive attempts themselves. */
    public DeliveryResult attempt(Mail mail) throws UnstoredRecipientsException {
        return attempt.run(mail);
    }

    /** Closes the LMTP sessions open now and refuses new ones, as shutdown does once its grace is over. */
    public int abortSessions() {
        return attempt.abortSessions();
    }

    /** How long {@link #close} lets attempts in flight finish before closing their sessions. */
    public void shutdownGrace(Duration grace) {
        consumer.shutdownGrace(grace);
    }

    public DeliveryConsumer consumer() {
        return consumer;
    }

    public DeliveryJournal journal() {
        return journal;
    }

    public MailQueue queue() {
        return queue;
    }

    public StoreChecks storeChecks() {
        return storeChecks;
    }
}
