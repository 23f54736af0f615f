package dev.jameslmtp.mailet.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.jameslmtp.client.outcome.Fate;

/** The shared log of a journal directory: group commit, a kill before the sync, restart, rotation, the previous format. */
class JournalLogTest {

    private static final List<MailAddress> RECIPIENTS = addresses("bob@b.test", "carol@b.test", "dan@b.test");

    @TempDir
    Path directory;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
    }

    private static List<MailAddress> addresses(String... addresses) {
        List<MailAddress> list = new ArrayList<>();
        for (String address : addresses) {
            try {
                list.add(new MailAddress(address));
            } catch (javax.mail.internet.AddressException e) {
                throw new IllegalArgumentException(e);
            }
        }
        return list;
    }

    private static Mail queued(String id) throws Exception {
        FakeMail mail = FakeMail.builder().name("mail-" + id).sender("alice@a.test").recipients(RECIPIENTS).build();
        mail.setAttribute(new Attribute(AttributeName.of(DeliveryJournal.ID), AttributeValue.of(id)));
        return mail;
    }

    private FileJournal open(long segmentBytes) throws Exception {
        FileJournal journal = FileJournal.open(directory, segmentBytes);
        toClose.add(journal);
        return journal;
    }

    /** One attempt that marks {@code fate} for the recipient at {@code position}, syncs and leaves (unsettled unless {@code settle}). */
    private static void attempt(FileJournal journal, String id, int position, Fate fate, boolean settle) throws Exception {
        MailJournal marks = journal.of(queued(id));
        marks.read(RECIPIENTS);
        marks.marksFor(List.of(0, 1, 2), RECIPIENTS).mark(position, fate);
        marks.sync();
        if (settle) {
            marks.settle();
        } else {
            marks.close();
        }
    }

    private static Map<Integer, Fate> marksOf(FileJournal journal, String id) throws Exception {
        try (MailJournal marks = journal.of(queued(id))) {
            return marks.marks(RECIPIENTS);
        }
    }

    private List<Path> segments() throws Exception {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".log")).sorted().toList();
        }
    }

    @Test
    void syncsOfMailsFinishingTogetherShouldShareOneForce() throws Exception {
        FileJournal journal = open(JournalLog.SEGMENT_BYTES);
        CountDownLatch forcing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean first = new AtomicBoolean(true);
        journal.log().beforeForce(() -> {
            if (first.getAndSet(false)) {
                forcing.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });

        // t0: mail a syncs alone and its force is held at the seam
        CompletableFuture<Void> a = CompletableFuture.runAsync(() -> unchecked(() -> attempt(journal, "a-1", 0, Fate.DELIVERED, true)));
        assertThat(forcing.await(30, TimeUnit.SECONDS)).isTrue();
        // t1: four more mails write their lines and sync while it forces
        List<CompletableFuture<Void>> others = new ArrayList<>();
        for (String id : List.of("b-1", "c-1", "d-1", "e-1")) {
            others.add(CompletableFuture.runAsync(() -> unchecked(() -> attempt(journal, id, 1, Fate.DELIVERED, false))));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> journal.log().waiting() == 4);
        assertThat(others).noneMatch(CompletableFuture::isDone);
        // t2: a's force ends; one more force covers the four
        release.countDown();
        a.get(30, TimeUnit.SECONDS);
        for (CompletableFuture<Void> other : others) {
            other.get(30, TimeUnit.SECONDS);
        }

        assertThat(journal.log().forces()).as("five syncs").isEqualTo(2);
        for (String id : List.of("b-1", "c-1", "d-1", "e-1")) {
            assertThat(marksOf(journal, id)).containsExactly(Map.entry(1, Fate.DELIVERED));
        }
    }

    @Test
    void aMailSyncingAloneShouldBeForcedOnceAndASecondSyncWithoutNewLinesForcesNothing() throws Exception {
        FileJournal journal = open(JournalLog.SEGMENT_BYTES);
        MailJournal marks = journal.of(queued("alone-1"));
        marks.marksFor(List.of(0, 1, 2), RECIPIENTS).mark(0, Fate.DELIVERED);

        marks.sync();
        marks.sync();

        assertThat(journal.log().forces()).isEqualTo(1);
        marks.settle();
    }

    @Test
    void linesWrittenButNotSyncedWhenJamesWasKilledShouldBeReadAfterTheRestart() throws Exception {
        JournalLog killed = JournalLog.open(directory, JournalLog.SEGMENT_BYTES, id -> false, id -> false);
        killed.append("kept-1", "0 delivered bob@b.test\n");
        killed.append("kept-1", "1 requeued carol@b.test\n");
        killed.append("done-1", "0 delivered bob@b.test\n");
        try (SettledItems settled = SettledItems.open(directory)) {
            settled.add("done-1");
        }
        Files.write(killed.segmentFile(), "kept-1 2 deliv".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
        // killed: neither synced nor closed

        FileJournal restarted = open(JournalLog.SEGMENT_BYTES);

        assertThat(marksOf(restarted, "kept-1")).containsOnly(Map.entry(0, Fate.DELIVERED), Map.entry(1, Fate.DEFERRED));
        try (MailJournal done = restarted.of(queued("done-1"))) {
            MailJournal.Reading reading = done.read(RECIPIENTS);
            assertThat(reading.settled()).isTrue();
            assertThat(reading.marks()).isEmpty();
        }
        assertThat(segments()).as("the killed run's segment, read and removed; a new one").containsExactly(restarted.log().segmentFile());
        assertThat(directory.resolve("kept-1" + FileJournal.SUFFIX)).as("kept in a file of its own")
                .hasContent("0 delivered bob@b.test\n1 requeued carol@b.test\n");
        assertThat(directory.resolve("done-1" + FileJournal.SUFFIX)).doesNotExist();
    }

    @Test
    void aMailKeptAfterARestartShouldBeWrittenOnAndLoseItsFileWhenSettled() throws Exception {
        JournalLog killed = JournalLog.open(directory, JournalLog.SEGMENT_BYTES, id -> false, id -> false);
        killed.append("kept-1", "0 delivered bob@b.test\n");
        FileJournal restarted = open(JournalLog.SEGMENT_BYTES);

        MailJournal marks = restarted.of(queued("kept-1"));
        assertThat(marks.read(RECIPIENTS).marks()).containsExactly(Map.entry(0, Fate.DELIVERED));
        marks.marksFor(List.of(1, 2), RECIPIENTS).mark(0, Fate.BOUNCED);
        marks.sync();
        try (MailJournal twin = restarted.tryOpen(queued("kept-1")).orElse(null)) {
            assertThat(twin).as("held by the attempt").isNull();
        }
        marks.settle();

        assertThat(directory.resolve("kept-1" + FileJournal.SUFFIX)).doesNotExist();
        restarted.close();
        toClose.remove(restarted);
        FileJournal again = open(JournalLog.SEGMENT_BYTES);
        try (MailJournal settled = again.of(queued("kept-1"))) {
            MailJournal.Reading reading = settled.read(RECIPIENTS);
            assertThat(reading.settled()).isTrue();
            assertThat(reading.marks()).isEmpty();
        }
        assertThat(directory.resolve("kept-1" + FileJournal.SUFFIX)).doesNotExist();
    }

    @Test
    void rotationShouldRemoveSettledSegmentsAndMoveAMailLeftUnsettledToItsOwnFileUnlessAnAttemptHoldsIt() throws Exception {
        FileJournal journal = open(200);
        attempt(journal, "stuck-1", 0, Fate.DELIVERED, false);
        MailJournal busy = journal.of(queued("busy-1"));
        busy.marksFor(List.of(0, 1, 2), RECIPIENTS).mark(2, Fate.DELIVERED);
        Path busySegment = journal.log().segmentFile();

        for (int n = 0; n < 40; n++) {
            attempt(journal, "done-" + n, 1, Fate.DELIVERED, true);
        }

        assertThat(directory.resolve("stuck-1" + FileJournal.SUFFIX)).as("moved out of the log").hasContent("0 delivered bob@b.test\n");
        assertThat(marksOf(journal, "stuck-1")).containsExactly(Map.entry(0, Fate.DELIVERED));
        assertThat(busySegment).as("held by an attempt: its segment stays").exists();
        assertThat(directory.resolve("busy-1" + FileJournal.SUFFIX)).doesNotExist();
        assertThat(busy.read(RECIPIENTS).marks()).containsExactly(Map.entry(2, Fate.DELIVERED));
        assertThat(segments().size()).as("segments of settled mails removed").isLessThanOrEqualTo(3);

        busy.settle();
        journal.rotate();
        journal.rotate();
        assertThat(busySegment).doesNotExist();
        assertThat(segments()).containsExactly(journal.log().segmentFile());
        assertThat(marksOf(journal, "done-39")).isEmpty();
    }

    @Test
    void aJournalFileOfThePreviousVersionShouldBeReadThenWrittenOnInTheLogAndRemovedWhenSettled() throws Exception {
        Files.writeString(directory.resolve("old-1" + FileJournal.SUFFIX), "0 delivered bob@b.test\n2 requeuing/copy-7/2/60 dan@b.test\n");
        FileJournal journal = open(JournalLog.SEGMENT_BYTES);

        MailJournal marks = journal.of(queued("old-1"));
        MailJournal.Reading reading = marks.read(RECIPIENTS);
        assertThat(reading.marks()).containsExactly(Map.entry(0, Fate.DELIVERED));
        assertThat(reading.putBacks()).containsOnlyKeys(2);
        marks.marksFor(List.of(1), RECIPIENTS).mark(0, Fate.DELIVERED);
        marks.sync();
        marks.close();
        assertThat(marksOf(journal, "old-1")).containsOnly(Map.entry(0, Fate.DELIVERED), Map.entry(1, Fate.DELIVERED));

        MailJournal last = journal.of(queued("old-1"));
        last.read(RECIPIENTS);
        last.settle();
        assertThat(directory.resolve("old-1" + FileJournal.SUFFIX)).doesNotExist();
    }

    @Test
    void twoMailetsGivenOneDirectoryShouldShareOneLogUntilTheLastCloses() throws Exception {
        FileJournal first = FileJournal.open(directory);
        FileJournal second = FileJournal.open(directory);
        assertThat(second).isSameAs(first);

        first.close();
        attempt(second, "shared-1", 0, Fate.DELIVERED, false);
        assertThat(marksOf(second, "shared-1")).containsExactly(Map.entry(0, Fate.DELIVERED));
        second.close();

        FileJournal reopened = open(JournalLog.SEGMENT_BYTES);
        assertThat(reopened).isNotSameAs(first);
        assertThat(marksOf(reopened, "shared-1")).containsExactly(Map.entry(0, Fate.DELIVERED));
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void unchecked(Step step) {
        try {
            step.run();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
