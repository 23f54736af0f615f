package dev.jameslmtp.mailet;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.blob.api.BlobId;
import org.apache.james.blob.api.BlobStoreDAO;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.mailet.Mail;
import org.apache.mailet.ProcessingState;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.client.pool.ConnectionPool;
import dev.jameslmtp.conf.ConfigurationError;
import dev.jameslmtp.conf.LmtpClientFactory;
import dev.jameslmtp.conf.LmtpDeliveryConfiguration;
import dev.jameslmtp.conf.Parameter;
import dev.jameslmtp.conf.ParameterValues;
import dev.jameslmtp.mailet.health.HealthCheckSettings;
import dev.jameslmtp.mailet.health.StoreHealth;
import dev.jameslmtp.mailet.journal.DeliveryJournal;
import dev.jameslmtp.mailet.journal.FileJournal;
import dev.jameslmtp.mailet.journal.JournalStore;
import dev.jameslmtp.mailet.journal.JournalSweeper;
import dev.jameslmtp.mailet.queue.DeliveryConsumer;
import dev.jameslmtp.mailet.queue.Flushes;
import dev.jameslmtp.mailet.queue.QueueClaims;
import dev.jameslmtp.mailet.queue.WaitQueues;

/**
 * Delivers mail over LMTP (RFC 2033) to a mail store such as Dovecot, and maps every recipient's
 * own reply back onto the James mail. Shaped like James's {@code RemoteDelivery}: {@link #service}
 * puts the mail on a James mail queue (itself for one destination, else one copy per destination) and ghosts it; a consumer takes
 * mail off the queue, with at most its window of deliveries in flight per destination (counted
 * across every LmtpDelivery of the JVM; Postfix's scheduler: up to {@code concurrency}, smaller
 * while the store fails, none but a probe while it is dead), and delivers it. A destination at its
 * window never holds up mail for others: its mail (counted by {@code lmtpDeliveryDestinationBusy})
 * waits in a bounded backlog (4 × {@code concurrency}), else goes back on the queue with a delay.
 *
 * <p>After each attempt every recipient is in exactly one of three states, and the code checks it:
 * <ul>
 *   <li><b>delivered</b> (2xx after the final dot): it leaves the mail; with {@code onSuccess}, a
 *   copy holding the delivered recipients goes to that processor;</li>
 *   <li><b>deferred</b> (4xx, connection failure, timeout, reply missing after the dot, no
 *   transport map entry): it goes back on the queue with the next delay of {@code delayTime}; the
 *   retry count is kept per recipient (attribute {@code lmtp-delivery-retries}, and James's
 *   {@code delivery_retry_count});</li>
 *   <li><b>bounced</b> (5xx at MAIL, RCPT, DATA or after the dot; or still temporary after
 *   {@code maxRetries} retries): reported as {@code bounceMode} says: with {@code rfc3464} (the
 *   default) <em>one</em> RFC 3464 DSN per mail and attempt, written by the mailet ({@code DsnSender});
 *   with {@code james} (the default when {@code bounceProcessor} is set), copies grouped by their
 *   reply, with James's Bouncer attributes ({@code delivery-error}, {@code delivery-error-code},
 *   {@code is-delivery-permanent-error}), for {@code DSNBounce} and the {@code IsRemoteDelivery*}
 *   matchers. NOTIFY (SUCCESS included), ORCPT, RET and ENVID are honoured. A mail with the null
 *   sender is never bounced; that is
 *   logged.</li>
 * </ul>
 * With {@code delayWarningTime}, a mail whose recipients are still being retried that long after
 * it arrived earns its sender one {@code Action: delayed} DSN (Postfix's {@code delay_warning_time}).
 *
 * <p>One log line per attempt gives each recipient's outcome; every log line of an attempt carries
 * the MDC keys {@code queue} and {@code destination}. The James metrics ({@code lmtpDelivery*}):
 * {@code docs/configuration.md}, "Metrics".
 *
 * <h2>Parameters</h2>
 * Durations are written as James's DurationParser reads them ({@code 30 seconds}, {@code 5m},
 * {@code 2 hours}); a bare number is in <b>seconds</b> for the timeouts and in <b>milliseconds</b>
 * for {@code delayTime} (as in RemoteDelivery). An unknown parameter, a malformed or empty value,
 * or neither or both of {@code destination} and {@code transportMap} make {@code init()} fail
 * with a message naming the parameter. James's own {@code onMailetException} and
 * {@code onMatcherException} are accepted. Each reply timeout is a deadline for the whole reply
 * (as Postfix with {@code lmtp_per_record_deadline = yes}): a server that sends a reply slowly,
 * byte by byte, is cut off when it expires. {@code bodyTimeout} bounds each write of the content.
 * Every parameter, its default and its meaning: {@code docs/configuration.md} (checked against
 * {@link dev.jameslmtp.conf.Parameter} by {@code ConfigurationDocTest}).
 *
 * <h2>Example</h2>
 * Match the store's domains ({@code HostIs}), not {@code RecipientIsLocal}: users who exist only
 * in the store are not James users, and that matcher sends their mail to James's "no such user"
 * bounce. With {@code saslPasswordMap} a session authenticates with the map's entry for its
 * destination; PLAIN and LOGIN go only after a verified handshake or on a trusted UNIX socket, and
 * no secret ever reaches a log, a transcript or an error.
 * <pre>{@code
 * <mailet match="HostIs=example.com" class="dev.jameslmtp.mailet.LmtpDelivery">
 *     <destination>inet:store.example.com:24</destination>
 *     <saslPasswordMap>/etc/james/lmtp_sasl_passwd</saslPasswordMap>
 *     <tlsSecurityLevel>verify</tlsSecurityLevel>
 *     <tlsCAFile>/etc/james/store-ca.pem</tlsCAFile>
 *     <delayTime>4*1 minute, 3*5 minutes, 1 hour</delayTime>
 *     <maxRetries>8</maxRetries>
 * </mailet>
 * }</pre>
 *
 * <h2>Two stores, and the route of a queued mail</h2>
 * Each LmtpDelivery consumes its own queue ({@code outgoing}): a second one on a queue already used
 * in the same James fails {@code init()} naming {@code outgoing}. {@link #service} fixes the
 * destination on each queued copy (attribute {@code lmtp-delivery-destination}); the consumer
 * delivers there and nowhere else, even if the configuration changed meanwhile (with a warning).
 * A recipient whose domain had no transport map entry is queued without a route and routed again
 * at each attempt.
 *
 * <h2>When James itself fails, and known limits</h2>
 * Each recipient is on the queue or in James's error path, never both, never neither; deferred
 * recipients go back in a copy of their own (3 tries, then the {@code error} processor);
 * {@link #destroy} gives attempts 10 seconds, then closes their sessions. The delivery journal
 * keeps each recipient's fate the moment it is known, so that a mail handed out again after a kill
 * is sent only to the others: in files under {@code journalDirectory}, or, with
 * {@code journalStore} {@code blobstore} (the default on James's RabbitMQ queue), in James's blob
 * store, where every node sharing the queue reads it. Left: RFC 2033's window after the
 * final dot, a second DSN for a bounce sent just before a kill, lines not yet synced at a machine
 * crash (sent again, never lost). On James's RabbitMQ queue, which ignores delays, and its
 * ActiveMQ queue, which keeps them late, the mailet keeps them on wait queues ({@code waitQueues}).
 * {@code docs/architecture.md}, "Shutdown and restarts", tells the whole story.
 */
public class LmtpDelivery extends GenericMailet {

    /** Whether {@link #init} starts the queue consumer; tests drive attempts themselves. */
    public enum ConsumerMode { START, DO_NOT_START }

    private static final Logger LOGGER = LoggerFactory.getLogger(LmtpDelivery.class);

    private final MailQueueFactory<?> queueFactory;
    private final MetricFactory metricFactory;
    private final Supplier<String> defaultLhloName;
    private final ConsumerMode consumerMode;
    private Clock clock;
    private LmtpClientFactory clientFactory = LmtpClientFactory.standard();
    private Duration shutdownGrace = DeliveryConsumer.DEFAULT_SHUTDOWN_GRACE;
    private ConnectionPool connectionPool = ConnectionPool.shared();
    private final String defaultJournalRoot;
    private FileSystem fileSystem;
    private BlobStoreDAO blobStoreDAO;
    private BlobId.Factory blobIdFactory;

    private LmtpDeliveryConfiguration configuration;
    private String claimedQueue;
    private boolean poolRetained;
    private DeliveryPipeline pipeline;
    /** This James's stores, for its health check; without Guice, this mailet's own. */
    private StoreHealth storeHealth = new StoreHealth();
    private Flushes flushes = new Flushes();

    @Inject
    public LmtpDelivery(MailQueueFactory<?> queueFactory, MetricFactory metricFactory, DomainList domainList) {
        this(queueFactory, metricFactory, () -> ParameterValues.defaultLhloName(() -> domainList.getDefaultDomain().asString()),
                Clock.systemUTC(), ConsumerMode.START, FileJournal.DEFAULT_ROOT);
    }

    /**
     * For tests: without {@code journalDirectory} and without James's FileSystem, journals go under
     * {@code target/}, in a directory of this instance's own (test mails share names, and a
     * journal directory remembers the mails it settled).
     */
    LmtpDelivery(MailQueueFactory<?> queueFactory, MetricFactory metricFactory, Supplier<String> defaultLhloName, Clock clock,
                 ConsumerMode consumerMode) {
        this(queueFactory, metricFactory, defaultLhloName, clock, consumerMode,
                "file://target/lmtp-journal/" + java.util.UUID.randomUUID() + "/");
    }

    private LmtpDelivery(MailQueueFactory<?> queueFactory, MetricFactory metricFactory, Supplier<String> defaultLhloName, Clock clock,
                         ConsumerMode consumerMode, String defaultJournalRoot) {
        this.defaultJournalRoot = defaultJournalRoot;
        this.queueFactory = Objects.requireNonNull(queueFactory, "queueFactory");
        this.metricFactory = Objects.requireNonNull(metricFactory, "metricFactory");
        this.defaultLhloName = Objects.requireNonNull(defaultLhloName, "defaultLhloName");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.consumerMode = Objects.requireNonNull(consumerMode, "consumerMode");
    }

    /** Optional: James binds a {@link Clock}; it stamps {@code lastUpdated} on deferred and bounced mail. */
    @com.google.inject.Inject(optional = true)
    public void setClock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Optional: bound by {@code LmtpDeliveryModule} or a module of your own; default {@link LmtpClientFactory#standard()}. */
    @com.google.inject.Inject(optional = true)
    public void setClientFactory(LmtpClientFactory clientFactory) {
        this.clientFactory = Objects.requireNonNull(clientFactory, "clientFactory");
    }

    /** Optional: bound once per James by {@code LmtpDeliveryModule}; default the process-wide {@link ConnectionPool#shared()}. */
    @com.google.inject.Inject(optional = true)
    public void setConnectionPool(ConnectionPool connectionPool) {
        this.connectionPool = Objects.requireNonNull(connectionPool, "connectionPool");
    }

    /** Optional: James binds its {@link FileSystem}; {@code file://} journal directories are resolved with it. */
    @com.google.inject.Inject(optional = true)
    public void setFileSystem(FileSystem fileSystem) {
        this.fileSystem = Objects.requireNonNull(fileSystem, "fileSystem");
    }

    /**
     * Optional: James binds its {@link BlobStoreDAO} (the distributed flavour's S3 or Cassandra
     * store, shared by every node; the memory flavour's); {@code journalStore} {@code blobstore},
     * and {@code auto} on James's RabbitMQ queue, keep the delivery journal there.
     */
    @com.google.inject.Inject(optional = true)
    public void setBlobStoreDAO(BlobStoreDAO blobStoreDAO) {
        this.blobStoreDAO = Objects.requireNonNull(blobStoreDAO, "blobStoreDAO");
    }

    /** Optional: James binds the {@link BlobId.Factory} of its blob store; without it, James's {@code HashBlobId.Factory}. */
    @com.google.inject.Inject(optional = true)
    public void setBlobIdFactory(BlobId.Factory blobIdFactory) {
        this.blobIdFactory = Objects.requireNonNull(blobIdFactory, "blobIdFactory");
    }

    /** Optional: one per James (a Guice singleton), read by {@code LmtpStoresHealthCheck}; see {@code docs/operations.md}. */
    @com.google.inject.Inject(optional = true)
    public void setStoreHealth(StoreHealth storeHealth) {
        this.storeHealth = Objects.requireNonNull(storeHealth, "storeHealth");
    }

    /** Optional: one per James (a Guice singleton), read by {@code LmtpQueuesRoutes}; see {@code docs/operations.md}. */
    @com.google.inject.Inject(optional = true)
    public void setFlushes(Flushes flushes) {
        this.flushes = Objects.requireNonNull(flushes, "flushes");
    }

    @Override
    public void init() throws MessagingException {
        configuration = configured(parameters -> LmtpDeliveryConfiguration.parse(parameters, defaultLhloName));
        HealthCheckSettings healthChecks = configured(HealthCheckSettings::parse);
        JournalStore journalStore = configured(JournalStore::parse);
        Duration journalMaxAge = configured(parameters -> JournalSweeper.maxAge(
                Optional.ofNullable(parameters.get(Parameter.JOURNAL_MAX_AGE.key())), configuration.delaySchedule()));
        WaitQueues.Mode waitQueues = configured(WaitQueues.Mode::parse);
        Object holder = QueueClaims.claim(queueFactory, configuration.outgoing(), this);
        if (holder != null) {
            throw new MessagingException("LmtpDelivery mailet '" + getMailetName() + "': outgoing: the queue '" + configuration.outgoing()
                    + "' is already used by another LmtpDelivery (" + holder + "); give each LmtpDelivery its own queue,"
                    + " e.g. <outgoing>lmtp-outgoing-store2</outgoing>");
        }
        claimedQueue = configuration.outgoing();
        connectionPool.retain();
        poolRetained = true;
        MailQueue work = queueFactory.createQueue(MailQueueName.of(configuration.outgoing()),
                MailQueueFactory.prefetchCount(DeliveryConsumer.prefetch(configuration.concurrency())));
        DeliveryJournal journal;
        try {
            journal = configured(parameters -> journalStore.open(parameters, work, configuration.outgoing(), defaultJournalRoot,
                    new JournalStore.Bindings(Optional.ofNullable(fileSystem), Optional.ofNullable(blobStoreDAO), Optional.ofNullable(blobIdFactory)),
                    clock));
        } catch (MessagingException | RuntimeException e) {
            closeQuietly(work);
            throw e;
        }
        MailQueue queue = work;
        try {
            queue = WaitQueues.of(waitQueues, work, queueFactory, configuration.delaySchedule(), clock);
            pipeline = new DeliveryPipeline(configuration, queue, journal,
                    new DeliveryPipeline.James(getMailetContext(), metricFactory, clientFactory, connectionPool, clock),
                    healthChecks, journalMaxAge, shutdownGrace);
        } catch (RuntimeException e) { // what the pipeline would have closed
            journal.close();
            closeQuietly(queue);
            throw e;
        }
        if (consumerMode == ConsumerMode.START) {
            pipeline.start();
        }
        flushes.register(pipeline.queue());
        storeHealth.register(pipeline.storeChecks());
        LOGGER.info("LmtpDelivery {}: delivering to {} as {}, queue {}, {} retries, delivery journal in {}", getMailetName(),
                configuration.routing().destinations(), configuration.lhloName(), configuration.outgoing(),
                configuration.delaySchedule().maxRetries(), journal.describe());
    }

    @Override
    public String toString() {
        return "LmtpDelivery mailet '" + getMailetName() + "' to " + (configuration == null ? "?" : configuration.routing().destinations());
    }

    /** {@code reading} of this mailet's parameters; a {@link ConfigurationError} fails {@code init()} naming the mailet. */
    private <T> T configured(Function<Map<String, String>, T> reading) throws MessagingException {
        Map<String, String> parameters = new HashMap<>();
        getInitParameterNames().forEachRemaining(name -> parameters.put(name, getInitParameter(name)));
        try {
            return reading.apply(parameters);
        } catch (ConfigurationError e) {
            throw new MessagingException("LmtpDelivery mailet '" + getMailetName() + "': " + e.getMessage(), e);
        }
    }

    /**
     * Puts the mail on the mailet's queue ({@link QueueIntake}: one item per destination, each
     * recipient on the queue or, with the exception, left on the mail for James's error path).
     */
    @Override
    public void service(Mail mail) throws MessagingException {
        pipeline.accept(mail);
    }

    @Override
    public void destroy() {
        if (pipeline != null) {
            storeHealth.unregister(pipeline.storeChecks());
            flushes.unregister(pipeline.queue());
            pipeline.close();
            pipeline = null;
        }
        if (claimedQueue != null) {
            QueueClaims.release(queueFactory, claimedQueue, this);
            claimedQueue = null;
        }
        if (poolRetained) {
            poolRetained = false;
            connectionPool.release();
        }
    }

    private void closeQuietly(MailQueue queue) {
        try {
            queue.close();
        } catch (Exception e) {
            LOGGER.debug("error closing queue {}", configuration.outgoing(), e);
        }
    }

    @Override
    public Collection<ProcessingState> requiredProcessingState() {
        if (configuration == null) {
            return List.of();
        }
        return Stream.concat(configuration.bounceProcessor().stream(), configuration.onSuccess().stream())
                .map(ProcessingState::new)
                .toList();
    }

    @Override
    public String getMailetInfo() {
        return "LmtpDelivery mailet";
    }

    /** How long {@link #destroy} lets attempts in flight finish before closing their sessions: set before {@link #init}. */
    void shutdownGrace(Duration grace) {
        this.shutdownGrace = Objects.requireNonNull(grace, "grace");
        if (pipeline != null) {
            pipeline.shutdownGrace(grace);
        }
    }

    /** The running parts, once {@link #init} has run: for tests, which drive attempts and look inside. */
    public DeliveryPipeline pipeline() {
        return pipeline;
    }

    LmtpDeliveryConfiguration configuration() {
        return configuration;
    }

}
