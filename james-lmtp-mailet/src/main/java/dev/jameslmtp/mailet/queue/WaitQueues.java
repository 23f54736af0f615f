package dev.jameslmtp.mailet.queue;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.conf.ConfigurationError;
import dev.jameslmtp.conf.DelaySchedule;
import dev.jameslmtp.conf.Parameter;
import dev.jameslmtp.conf.ParameterValues;

/**
 * The mailet's queue as the mailet puts mail back on it, keeping delays itself when James's queue
 * cannot: James's RabbitMQ queue drops them (it logs {@code Ignored delay upon enqueue} and hands
 * the mail out at once, JAMES-2896), and its JMS/ActiveMQ queue keeps them up to 10 seconds late
 * (each dequeue waits 10 s on a selector fixed when it began).
 *
 * <p>With wait queues, a mail put back with a delay goes, with its due time, on the James queue of
 * the nearest <em>step</em> ({@code <outgoing>-wait-<seconds>s}; one step per distinct
 * {@code delayTime} delay, and {@value #BUSY_STEPS_TEXT} for mail put aside while its store is busy
 * or dead); a {@link WaitHolder} on every node holds what is due soon and moves it to the work queue
 * on time. The mail stays on a James queue the whole time, so it survives a node's death and any
 * node delivers it; nothing cycles through the queue while it waits, but an item held past
 * {@code holdLimit} ({@value #HOLD_LIMIT_MINUTES} minutes, under RabbitMQ's {@code consumer_timeout})
 * goes back on its wait queue once. A delay shorter than the smallest step waits the smallest step,
 * so mail put aside for a busy store never loops fast.
 *
 * <p>Chosen over RabbitMQ dead-letter queues with a TTL per step (James declares its work queues
 * with its own {@code x-dead-letter-exchange}, which a policy cannot override, and a message moved
 * by RabbitMQ alone bypasses James's queue view) and over a mail repository with a scheduler
 * (which needs a lock across nodes to move each mail once): wait queues use James's
 * {@code MailQueue} API alone, so they work on every flavour.
 *
 * <p>{@code waitQueues}: {@code auto} (default: on James's RabbitMQ and JMS/ActiveMQ queues, not on
 * its memory queue, whose delays are exact), {@code true}, {@code false}.
 */
public final class WaitQueues implements MailQueue {

    /** The instant (epoch milliseconds) a mail on a wait queue is due. */
    public static final String DUE = "dev.jameslmtp.wait-due";
    /** The instant (epoch milliseconds) a mail was put on a wait queue. */
    public static final String SINCE = "dev.jameslmtp.wait-since";
    static final int HOLD_LIMIT_MINUTES = 10;
    static final Duration HOLD_LIMIT = Duration.ofMinutes(HOLD_LIMIT_MINUTES);
    /** Items one holder holds at a time: the wait queue's prefetch. */
    static final int HOLDER_CAPACITY = 16;
    private static final List<Duration> BUSY_STEPS = List.of(Duration.ofSeconds(5), Duration.ofMinutes(1));
    private static final String BUSY_STEPS_TEXT = "5 seconds and 1 minute";
    private static final Logger LOGGER = LoggerFactory.getLogger(WaitQueues.class);

    /** Whether to keep delays on wait queues. */
    public enum Mode {
        AUTO, TRUE, FALSE;

        /** {@code waitQueues} of the mailet parameters {@code parameters}. */
        public static Mode parse(Map<String, String> parameters) {
            String value = new ParameterValues(parameters).getOrDefault(Parameter.WAIT_QUEUES).orElseThrow().strip();
            try {
                return valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw ConfigurationError.invalid(Parameter.WAIT_QUEUES.key(), value,
                        "auto (wait queues on James's RabbitMQ and JMS queues), true or false");
            }
        }

        /** True when mail put back on {@code queue} should wait on wait queues. */
        boolean appliesTo(MailQueue queue) {
            return switch (this) {
                case TRUE -> true;
                case FALSE -> false;
                case AUTO -> {
                    String type = queue.getClass().getName().toLowerCase(Locale.ROOT);
                    yield type.contains("rabbitmq") || type.contains("jms") || type.contains("activemq");
                }
            };
        }
    }

    private final MailQueue work;
    private final List<Step> steps;
    private final Clock clock;
    private final ScheduledExecutorService timer;

    private record Step(Duration delay, MailQueue queue, WaitHolder holder) {
    }

    private WaitQueues(MailQueue work, List<Step> steps, Clock clock, ScheduledExecutorService timer) {
        this.work = work;
        this.steps = steps;
        this.clock = clock;
        this.timer = timer;
    }

    /**
     * {@code work} itself when {@code mode} keeps no wait queues for it, else the wait queues of
     * {@code schedule}'s steps, created through {@code factory}, their holders not started yet.
     */
    public static MailQueue of(Mode mode, MailQueue work, MailQueueFactory<?> factory, DelaySchedule schedule, Clock clock) {
        if (!mode.appliesTo(work)) {
            return work;
        }
        TreeSet<Duration> delays = new TreeSet<>(BUSY_STEPS);
        schedule.delays().stream().filter(delay -> !delay.isZero() && !delay.isNegative()).forEach(delays::add);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "LmtpDelivery-Wait-" + work.getName().asString());
            thread.setDaemon(true);
            return thread;
        });
        List<Step> steps = new ArrayList<>();
        for (Duration delay : delays) {
            MailQueue queue = factory.createQueue(MailQueueName.of(work.getName().asString() + "-wait-" + Math.max(1, delay.toSeconds()) + "s"),
                    MailQueueFactory.prefetchCount(HOLDER_CAPACITY));
            steps.add(new Step(delay, queue, new WaitHolder(queue, work, HOLDER_CAPACITY, HOLD_LIMIT, clock, timer, requeuesInPlace(work))));
        }
        LOGGER.info("LmtpDelivery keeps the delays of queue {} on wait queues: {}", work.getName().asString(),
                steps.stream().map(step -> step.queue().getName().asString()).toList());
        return new WaitQueues(work, List.copyOf(steps), clock, timer);
    }

    /** James's RabbitMQ queue: an item handed back, or left by a closed consumer, goes back where it was, without a copy. */
    static boolean requeuesInPlace(MailQueue queue) {
        MailQueue james = queue instanceof WaitQueues waitQueues ? waitQueues.work : queue;
        return james.getClass().getName().toLowerCase(Locale.ROOT).contains("rabbitmq");
    }

    /** Starts the holders of {@code queue} when it is wait queues; nothing otherwise. */
    public static void start(MailQueue queue) {
        if (queue instanceof WaitQueues waitQueues) {
            waitQueues.steps.forEach(step -> step.holder().start());
        }
    }

    /** When the mail is due, if it is on a wait queue. */
    static Optional<Instant> due(Mail mail) {
        return instant(mail, DUE);
    }

    /** When the mail was put on a wait queue, if it is on one. */
    static Optional<Instant> since(Mail mail) {
        return instant(mail, SINCE);
    }

    private static Optional<Instant> instant(Mail mail, String name) {
        return mail.getAttribute(AttributeName.of(name))
                .flatMap(attribute -> attribute.getValue().valueAs(Long.class))
                .map(Instant::ofEpochMilli);
    }

    /**
     * Makes every mail put on the wait queues until now due now: what this node holds is moved to
     * the work queue at once, and so is what its holders take from the wait queues afterwards.
     * Mail held by other nodes is moved by their own flush, else when it is due or its hold ends.
     */
    public void flush() {
        Instant now = clock.instant();
        steps.forEach(step -> step.holder().flush(now));
    }

    /** The queue the mailet takes its mail from. */
    MailQueue work() {
        return work;
    }

    /** Mail held by this node's holders now. */
    public int held() {
        return steps.stream().mapToInt(step -> step.holder().held()).sum();
    }

    @Override
    public MailQueueName getName() {
        return work.getName();
    }

    /** On the work queue at once when {@code delay} is not positive, else on the wait queue of its step. */
    @Override
    public void enQueue(Mail mail, Duration delay) throws MailQueueException {
        if (delay.isZero() || delay.isNegative()) {
            work.enQueue(mail);
            return;
        }
        Step step = stepFor(delay);
        Duration wait = delay.compareTo(steps.get(0).delay()) < 0 ? steps.get(0).delay() : delay;
        Instant now = clock.instant();
        mail.setAttribute(new Attribute(AttributeName.of(SINCE), AttributeValue.of(now.toEpochMilli())));
        mail.setAttribute(new Attribute(AttributeName.of(DUE), AttributeValue.of(now.plus(wait).toEpochMilli())));
        step.queue().enQueue(mail);
    }

    /** The step nearest {@code delay}, by ratio. */
    private Step stepFor(Duration delay) {
        Step nearest = steps.get(0);
        double distance = Double.MAX_VALUE;
        for (Step step : steps) {
            double ratio = Math.abs(Math.log((double) Math.max(1, delay.toMillis()) / step.delay().toMillis()));
            if (ratio < distance) {
                distance = ratio;
                nearest = step;
            }
        }
        return nearest;
    }

    @Override
    public void enQueue(Mail mail) throws MailQueueException {
        work.enQueue(mail);
    }

    @Override
    public Publisher<Void> enqueueReactive(Mail mail) {
        return work.enqueueReactive(mail);
    }

    @Override
    public Publisher<MailQueueItem> deQueue() {
        return work.deQueue();
    }

    /** Stops the holders, which give back what they hold, then closes the work queue. */
    @Override
    public void close() throws IOException {
        steps.forEach(step -> step.holder().close());
        timer.shutdownNow();
        work.close();
    }
}
