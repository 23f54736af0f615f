package dev.jameslmtp.mailet.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.mailet.attempt.DeliveryMetrics;
import dev.jameslmtp.testing.MutableClock;

/**
 * The sweep of the blob journal, on a clock the test moves: every node beats every 5 minutes;
 * one sweep an hour among them; ages from the time written in each blob, counted from the nodes'
 * restart after a time when none ran.
 */
class BlobJournalSweeperTest {

    private static final Duration DAY = Duration.ofDays(1);
    private static final String QUEUE = "lmtp-outgoing";

    private final MutableClock clock = new MutableClock();
    private final RecordingBlobStore store = new RecordingBlobStore();
    private final RecordingMetricFactory metricFactory = new RecordingMetricFactory();

    private BlobJournalSweeper node() {
        return new BlobJournalSweeper(BlobJournal.open(store, RecordingBlobStore.IDS, QUEUE, clock), DAY, clock,
                new DeliveryMetrics(metricFactory));
    }

    private static String blob(String id) {
        return "journal." + QUEUE + "." + id;
    }

    private void journalWrittenNow(String id) {
        store.put(blob(id), "journal " + clock.instant().toEpochMilli() + "\n0 delivered bob@b.test\n");
    }

    /** Every node beats every 5 minutes for {@code duration}; the journals they removed. */
    private int run(Duration duration, BlobJournalSweeper... nodes) {
        int removed = 0;
        for (Duration left = duration; !left.isNegative() && !left.isZero(); left = left.minus(BlobJournalSweeper.BEAT)) {
            clock.advance(BlobJournalSweeper.BEAT);
            for (BlobJournalSweeper node : nodes) {
                removed += node.beat();
            }
        }
        return removed;
    }

    private static FakeMail queued(String id) throws Exception {
        FakeMail mail = FakeMail.builder().name(id).recipient("bob@b.test").build();
        mail.setAttribute(new Attribute(AttributeName.of(DeliveryJournal.ID), AttributeValue.of(id)));
        return mail;
    }

    @Test
    void sweepsShouldRemoveJournalsAfterMaxAgeAndSettledRecordsAfterAnHourButKeepHeldAndForeignBlobs() throws Exception {
        BlobJournal journal = BlobJournal.open(store, RecordingBlobStore.IDS, QUEUE, clock);
        BlobJournalSweeper sweeper = new BlobJournalSweeper(journal, DAY, clock, new DeliveryMetrics(metricFactory));
        journalWrittenNow("old-1");
        journalWrittenNow("held-1");
        store.put(blob("settled-1"), "settled " + clock.instant().toEpochMilli() + "\n");
        store.put("journal.other-queue.old-2", "journal 0\n0 delivered bob@b.test\n");
        store.put(blob("strange-1"), "not a journal");

        // 00:00 the first beat ever: the nodes resume now, and sweep (nothing is old)
        assertThat(sweeper.beat()).isZero();
        // 01:00 a sweep: the settled record is an hour old, kept; 02:00 a sweep: removed, and not counted
        assertThat(run(Duration.ofHours(2), sweeper)).isZero();
        assertThat(store.text(blob("settled-1"))).isEmpty();
        assertThat(store.text(blob("old-1"))).isPresent();

        try (MailJournal attempt = journal.of(queued("held-1"))) {
            // 24:00 the journals are a day old, kept; 25:00 the one no attempt holds is removed
            assertThat(run(Duration.ofHours(22), sweeper)).isZero();
            assertThat(run(Duration.ofHours(1), sweeper)).isEqualTo(1);
            assertThat(store.text(blob("old-1"))).isEmpty();
            assertThat(store.text(blob("held-1"))).as("an attempt of this node holds it").isPresent();
        }
        // 26:00 released by its attempt
        assertThat(run(Duration.ofHours(1), sweeper)).isEqualTo(1);

        assertThat(store.text(blob("held-1"))).isEmpty();
        assertThat(store.text("journal.other-queue.old-2")).as("another queue's").isPresent();
        assertThat(store.text(blob("strange-1"))).as("not understood: kept").isPresent();
        assertThat(store.text("heartbeat." + QUEUE)).isPresent();
        assertThat(metricFactory.countFor(DeliveryMetrics.JOURNAL_SWEPT)).isEqualTo(2);
    }

    @Test
    void severalNodesShouldSweepOnceAnHourBetweenThem() {
        BlobJournalSweeper nodeA = node();
        BlobJournalSweeper nodeB = node();
        BlobJournalSweeper nodeC = node();
        store.forget();

        // 00:00 A sweeps; B and C beat after it
        nodeA.beat();
        nodeB.beat();
        nodeC.beat();
        // then every node beats every 5 minutes for three hours: one sweep at 01:00, 02:00 and 03:00
        run(Duration.ofHours(3), nodeA, nodeB, nodeC);

        assertThat(store.calls("list")).hasSize(4);
        assertThat(store.calls("heartbeat.")).as("a read and a save per beat").hasSize(2 * 3 * (1 + 36));
    }

    @Test
    void agesShouldCountFromTheRestartWhenNoNodeRanForAWhile() {
        BlobJournalSweeper sweeper = node();
        sweeper.beat();
        journalWrittenNow("waiting-1");
        run(Duration.ofHours(1), sweeper);

        // every node stopped for three days; the queue still holds the mail, unacknowledged
        clock.advance(Duration.ofDays(3));
        BlobJournalSweeper restarted = node();
        assertThat(restarted.beat()).as("the journal's age counts from the restart").isZero();

        assertThat(run(Duration.ofHours(24), restarted)).as("a day after the restart").isZero();
        assertThat(store.text(blob("waiting-1"))).isPresent();
        assertThat(run(Duration.ofHours(1), restarted)).isEqualTo(1);
    }

    @Test
    void nothingShouldBeSweptWhileTheStoreFails() {
        store.put(blob("old-1"), "journal " + Instant.EPOCH.toEpochMilli() + "\n0 delivered bob@b.test\n");
        BlobJournalSweeper sweeper = node();
        store.failing.set(true);

        assertThat(sweeper.beat()).isZero();
        assertThat(run(Duration.ofHours(3), sweeper)).isZero();

        store.failing.set(false);
        assertThat(store.text(blob("old-1"))).isPresent();
        assertThat(store.text("heartbeat." + QUEUE)).isEmpty();
    }
}
