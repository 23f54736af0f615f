package dev.jameslmtp.mailet.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.core.MailAddress;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.AttributeName;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;

import dev.jameslmtp.conf.ConfigurationError;
import dev.jameslmtp.conf.DelaySchedule;

import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * Delays kept on wait queues, over James's memory queue forced into them ({@code waitQueues=true}),
 * with short steps and the real clock: mail reaches the work queue at its due time, not before,
 * whatever the queue does with delays; a holder holds at most its capacity; closing gives back
 * what it holds; a hold past its limit goes back on the wait queue; a refusing work queue is
 * tried again.
 */
class WaitQueuesTest {

    private static final Clock CLOCK = Clock.systemUTC();
    private final MemoryMailQueueFactory factory = new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory(), CLOCK);
    private final List<Instant> arrivals = new CopyOnWriteArrayList<>();
    private final List<Mail> arrived = new CopyOnWriteArrayList<>();
    private MailQueue work;
    private MailQueue queues;
    private Disposable taking;

    @BeforeEach
    void setUp() {
        work = factory.createQueue(MailQueueName.of("lmtp-outgoing"));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (queues != null) {
            queues.close();
        }
        if (taking != null) {
            taking.dispose();
        }
    }

    private void start(String delayTime) throws Exception {
        queues = WaitQueues.of(WaitQueues.Mode.TRUE, work, factory, DelaySchedule.parse(delayTime, 5), CLOCK);
        WaitQueues.start(queues);
        takeFromWork();
    }

    /** Takes what reaches the work queue, noting when and what. */
    private void takeFromWork() {
        taking = Flux.from(work.deQueue()).subscribe(item -> {
            arrivals.add(CLOCK.instant());
            arrived.add(item.getMail());
            acknowledge(item);
        });
    }

    private static void due(Mail mail, Instant due) {
        mail.setAttribute(new org.apache.mailet.Attribute(AttributeName.of(WaitQueues.DUE), org.apache.mailet.AttributeValue.of(due.toEpochMilli())));
    }

    private static void acknowledge(MailQueue.MailQueueItem item) {
        try {
            item.done(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
        } catch (MailQueue.MailQueueException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Mail mail(String name) throws Exception {
        return FakeMail.builder().name(name).sender("sender@example.com").recipient(new MailAddress("rcpt@example.com"))
                .mimeMessage(org.apache.james.core.builder.MimeMessageBuilder.mimeMessageBuilder().setText("hello").build())
                .build();
    }

    private long size(String queue) throws Exception {
        return factory.getQueue(MailQueueName.of(queue)).orElseThrow().getSize();
    }

    @Test
    void aDelayedMailShouldReachTheWorkQueueAtItsDueTimeNotBefore() throws Exception {
        start("2 seconds, 4 seconds");
        Instant put = CLOCK.instant().truncatedTo(ChronoUnit.MILLIS); // due times are kept in milliseconds
        queues.enQueue(mail("m1"), Duration.ofSeconds(2));

        await().atMost(Duration.ofSeconds(10)).until(() -> arrivals.size() == 1);
        Duration waited = Duration.between(put, arrivals.get(0));
        assertThat(waited).isBetween(Duration.ofMillis(2000), Duration.ofMillis(2200));
        assertThat(arrived.get(0).getAttribute(AttributeName.of(WaitQueues.DUE))).isEmpty();
    }

    @Test
    void eachDelayShouldGoOnTheWaitQueueOfTheNearestStep() throws Exception {
        queues = WaitQueues.of(WaitQueues.Mode.TRUE, work, factory, DelaySchedule.parse("2 seconds, 1 hour", 5), CLOCK);
        // holders not started: the mail stays where it was put
        queues.enQueue(mail("a"), Duration.ofMillis(2100));
        queues.enQueue(mail("b"), Duration.ofMinutes(50));
        queues.enQueue(mail("c"), Duration.ofSeconds(40));
        queues.enQueue(mail("d"), Duration.ZERO);

        assertThat(size("lmtp-outgoing-wait-2s")).isEqualTo(1);
        assertThat(size("lmtp-outgoing-wait-3600s")).isEqualTo(1);
        assertThat(size("lmtp-outgoing-wait-60s")).isEqualTo(1);
        assertThat(size("lmtp-outgoing")).isEqualTo(1);
    }

    @Test
    void aDelayShorterThanTheSmallestStepShouldWaitTheSmallestStep() throws Exception {
        start("3 seconds");
        Instant put = CLOCK.instant().truncatedTo(ChronoUnit.MILLIS); // due times are kept in milliseconds
        queues.enQueue(mail("busy"), Duration.ofMillis(250));

        await().atMost(Duration.ofSeconds(10)).until(() -> arrivals.size() == 1);
        assertThat(Duration.between(put, arrivals.get(0))).isBetween(Duration.ofMillis(3000), Duration.ofMillis(3300));
    }

    @Test
    void mailWithEqualDelaysShouldArriveInTheOrderItWasPut() throws Exception {
        start("1 second");
        for (int i = 0; i < 30; i++) {
            queues.enQueue(mail("m" + i), Duration.ofSeconds(1));
            Thread.sleep(3); // due times a few milliseconds apart: two mails due in the same millisecond have no order
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> arrived.size() == 30);
        assertThat(arrived).extracting(Mail::getName).containsExactlyElementsOf(
                java.util.stream.IntStream.range(0, 30).mapToObj(i -> "m" + i).toList());
    }

    @Test
    void aHolderShouldHoldAtMostItsCapacityAndLeaveTheRestOnTheWaitQueue() throws Exception {
        start("1 hour");
        for (int i = 0; i < WaitQueues.HOLDER_CAPACITY + 4; i++) {
            queues.enQueue(mail("m" + i), Duration.ofHours(1));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> ((WaitQueues) queues).held() == WaitQueues.HOLDER_CAPACITY);
        Thread.sleep(300); // a holder taking more than its capacity would have done so by now
        assertThat(((WaitQueues) queues).held()).isEqualTo(WaitQueues.HOLDER_CAPACITY);
        assertThat(arrived).isEmpty();
    }

    /**
     * What a holder holds goes back on its wait queue, due time and all, and the taken items are
     * acknowledged. (Asserted on the enqueues, not on the memory queue's size afterwards: James's
     * memory queue always has one take pending, which may take a given-back item for the closed
     * subscription and drop it; RabbitMQ requeues what a closed consumer had, JMS rolls it back.)
     */
    @Test
    void closingShouldGiveBackWhatTheHoldersHoldWithItsDueTime() throws Exception {
        MailQueue waitQueue = factory.createQueue(MailQueueName.of("lmtp-outgoing-wait-3600s"));
        List<String> givenBack = new CopyOnWriteArrayList<>();
        MailQueue recording = new Counting(waitQueue, new AtomicInteger()) {
            @Override
            public void enQueue(Mail mail) throws MailQueueException {
                givenBack.add(mail.getName() + " due " + WaitQueues.due(mail).map(Instant::toEpochMilli).orElse(0L));
                super.enQueue(mail);
            }
        };
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        WaitHolder holder = new WaitHolder(recording, work, 4, Duration.ofMinutes(10), CLOCK, timer);
        takeFromWork();
        Instant due = CLOCK.instant().plus(Duration.ofHours(1));
        for (int i = 0; i < 3; i++) {
            Mail mail = mail("m" + i);
            due(mail, due);
            waitQueue.enQueue(mail);
        }
        try {
            holder.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> holder.held() == 3);
            holder.close();

            assertThat(holder.held()).isZero();
            assertThat(givenBack).containsExactlyInAnyOrder("m0 due " + due.toEpochMilli(), "m1 due " + due.toEpochMilli(),
                    "m2 due " + due.toEpochMilli());
            assertThat(arrived).isEmpty();
        } finally {
            holder.close();
            timer.shutdownNow();
        }
    }

    @Test
    void anItemHeldPastTheHoldLimitShouldGoBackOnItsWaitQueueAndStillArriveOnTime() throws Exception {
        MailQueue waitQueue = factory.createQueue(MailQueueName.of("lmtp-outgoing-wait-2s"));
        AtomicInteger putBack = new AtomicInteger();
        MailQueue counting = new Counting(waitQueue, putBack);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        WaitHolder holder = new WaitHolder(counting, work, 4, Duration.ofMillis(300), CLOCK, timer);
        takeFromWork();
        try {
            Mail mail = mail("long");
            Instant put = CLOCK.instant().truncatedTo(ChronoUnit.MILLIS); // due times are kept in milliseconds
            due(mail, put.plusSeconds(2));
            waitQueue.enQueue(mail);
            holder.start();

            await().atMost(Duration.ofSeconds(10)).until(() -> arrivals.size() == 1);
            assertThat(Duration.between(put, arrivals.get(0))).isBetween(Duration.ofMillis(2000), Duration.ofMillis(2300));
            assertThat(putBack.get()).isBetween(4, 8); // about every 300 ms for 2 s, not a loop
        } finally {
            holder.close();
            timer.shutdownNow();
        }
    }

    /** Where the queue requeues in place (RabbitMQ), a hold that ends hands the item itself back: no copy is ever made. */
    @Test
    void onAQueueThatRequeuesInPlaceTheEndOfAHoldShouldHandBackTheItemItselfAndClosingShouldCopyNothing() throws Exception {
        MailQueue waitQueue = factory.createQueue(MailQueueName.of("lmtp-outgoing-wait-2s"));
        AtomicInteger copies = new AtomicInteger();
        MailQueue counting = new Counting(waitQueue, copies);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        WaitHolder holder = new WaitHolder(counting, work, 4, Duration.ofMillis(300), CLOCK, timer, true);
        takeFromWork();
        try {
            Instant put = CLOCK.instant().truncatedTo(ChronoUnit.MILLIS); // due times are kept in milliseconds
            for (String name : List.of("soon", "later")) {
                Mail mail = mail(name);
                due(mail, put.plusSeconds(name.equals("soon") ? 2 : 3600));
                waitQueue.enQueue(mail);
            }
            holder.start();

            await().atMost(Duration.ofSeconds(10)).until(() -> arrivals.size() == 1);
            assertThat(Duration.between(put, arrivals.get(0))).isBetween(Duration.ofMillis(2000), Duration.ofMillis(2300));
            holder.close();
            assertThat(holder.held()).isZero();
            assertThat(copies.get()).as("items copied onto the wait queue").isZero();
        } finally {
            holder.close();
            timer.shutdownNow();
        }
    }

    @Test
    void aWorkQueueThatRefusesShouldBeTriedAgainAndTheMailKept() throws Exception {
        MailQueue waitQueue = factory.createQueue(MailQueueName.of("lmtp-outgoing-wait-1s"));
        AtomicInteger refusals = new AtomicInteger(2);
        MailQueue refusing = new Counting(work, new AtomicInteger()) {
            @Override
            public void enQueue(Mail mail) throws MailQueueException {
                if (refusals.getAndDecrement() > 0) {
                    throw new MailQueueException("the work queue is down");
                }
                super.enQueue(mail);
            }
        };
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        WaitHolder holder = new WaitHolder(waitQueue, refusing, 4, Duration.ofMinutes(1), CLOCK, timer);
        takeFromWork();
        try {
            waitQueue.enQueue(mail("kept"));
            holder.start();
            await().atMost(Duration.ofSeconds(15)).until(() -> arrived.size() == 1);
            assertThat(arrived.get(0).getName()).isEqualTo("kept");
            assertThat(size("lmtp-outgoing-wait-1s")).isZero();
        } finally {
            holder.close();
            timer.shutdownNow();
        }
    }

    @Test
    void aFlushShouldMoveWhatWaitedUntilThenAtOnceAndLeaveWhatCameAfter() throws Exception {
        start("1 hour");
        queues.enQueue(mail("held"), Duration.ofHours(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> ((WaitQueues) queues).held() == 1);
        Thread.sleep(5);

        Flushes flushes = new Flushes();
        flushes.register(queues);
        assertThat(flushes.flush("lmtp-outgoing")).isTrue();
        assertThat(flushes.flush("another-queue")).isFalse();
        Thread.sleep(5);
        queues.enQueue(mail("after"), Duration.ofHours(1));

        await().atMost(Duration.ofSeconds(5)).until(() -> arrived.size() == 1);
        assertThat(arrived.get(0).getName()).isEqualTo("held");
        await().atMost(Duration.ofSeconds(5)).until(() -> ((WaitQueues) queues).held() == 1);
        Thread.sleep(300);
        assertThat(arrived).hasSize(1);
    }

    @Test
    void autoShouldKeepTheMemoryQueuesOwnDelays() throws Exception {
        assertThat(WaitQueues.of(WaitQueues.Mode.AUTO, work, factory, DelaySchedule.defaults(), CLOCK)).isSameAs(work);
        assertThat(WaitQueues.of(WaitQueues.Mode.FALSE, work, factory, DelaySchedule.defaults(), CLOCK)).isSameAs(work);
    }

    @Test
    void aBadValueShouldNameTheParameterAndTheAcceptedForm() {
        assertThat(WaitQueues.Mode.parse(Map.of())).isEqualTo(WaitQueues.Mode.AUTO);
        assertThat(WaitQueues.Mode.parse(Map.of("waitQueues", " True "))).isEqualTo(WaitQueues.Mode.TRUE);
        assertThatThrownBy(() -> WaitQueues.Mode.parse(Map.of("waitQueues", "sometimes")))
                .isInstanceOf(ConfigurationError.class)
                .hasMessageContaining("waitQueues")
                .hasMessageContaining("sometimes")
                .hasMessageContaining("auto");
    }

    /** A queue that counts the mail put on it. */
    private static class Counting implements MailQueue {
        private final MailQueue queue;
        private final AtomicInteger enqueued;

        Counting(MailQueue queue, AtomicInteger enqueued) {
            this.queue = queue;
            this.enqueued = enqueued;
        }

        @Override
        public MailQueueName getName() {
            return queue.getName();
        }

        @Override
        public void enQueue(Mail mail, Duration delay) throws MailQueueException {
            enqueued.incrementAndGet();
            queue.enQueue(mail, delay);
        }

        @Override
        public void enQueue(Mail mail) throws MailQueueException {
            enqueued.incrementAndGet();
            queue.enQueue(mail);
        }

        @Override
        public Publisher<Void> enqueueReactive(Mail mail) {
            return queue.enqueueReactive(mail);
        }

        @Override
        public Publisher<MailQueueItem> deQueue() {
            return queue.deQueue();
        }

        @Override
        public void close() {
        }
    }
}
