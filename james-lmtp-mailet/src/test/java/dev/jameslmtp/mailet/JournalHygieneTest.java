package dev.jameslmtp.mailet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.conf.ConfigurationError;
import dev.jameslmtp.conf.DelaySchedule;
import dev.jameslmtp.mailet.attempt.DeliveryMetrics;
import dev.jameslmtp.mailet.journal.AttemptMarks;
import dev.jameslmtp.mailet.journal.DeliveryJournal;
import dev.jameslmtp.mailet.journal.FileJournal;
import dev.jameslmtp.mailet.journal.JournalSweeper;
import dev.jameslmtp.mailet.journal.MailJournal;
import dev.jameslmtp.testing.MutableClock;

/**
 * The journal's hygiene: owner-only permissions whatever the umask (the JVM runs with 022 here),
 * the directory synced after a file is created in it, and journals left behind swept after
 * {@code journalMaxAge} of running time, counted.
 */
class JournalHygieneTest {

    private static final Duration DAY = Duration.ofDays(1);

    @TempDir
    Path temp;

    private final MutableClock clock = new MutableClock();
    private final RecordingMetricFactory metricFactory = new RecordingMetricFactory();
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger journalLogger = (Logger) LoggerFactory.getLogger(FileJournal.class);
    private JournalSweeper sweeper;
    private LmtpDelivery mailet;

    @BeforeEach
    void listen() {
        appender.start();
        journalLogger.addAppender(appender);
    }

    @AfterEach
    void tearDown() {
        journalLogger.detachAppender(appender);
        if (sweeper != null) {
            sweeper.close();
        }
        if (mailet != null) {
            mailet.destroy();
        }
    }

    private static Mail queued(String id, String... recipients) throws Exception {
        FakeMail mail = TestMails.mail("alice@a.test", recipients);
        mail.setAttribute(new Attribute(AttributeName.of(DeliveryJournal.ID), AttributeValue.of(id)));
        return mail;
    }

    private static String permissions(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    private Path journalFile(FileJournal journal, String id, Duration writtenAgo) throws Exception {
        Path file = journal.directory().resolve(id + FileJournal.SUFFIX);
        Files.writeString(file, "0 delivered bob@b.test\n");
        Files.setLastModifiedTime(file, FileTime.from(clock.instant().minus(writtenAgo)));
        return file;
    }

    private JournalSweeper sweeper(FileJournal journal, Duration maxAge) {
        sweeper = new JournalSweeper(journal, maxAge, clock, new DeliveryMetrics(metricFactory));
        return sweeper;
    }

    @Test
    void openShouldCreateTheDirectoryForItsOwnerOnlyWhateverTheUmask() throws Exception {
        Path directory = temp.resolve("var/lmtp-journal/outgoing");

        FileJournal.open(directory);

        assertThat(permissions(directory)).isEqualTo("rwx------");
        assertThat(appender.list).isEmpty();
    }

    @Test
    void openShouldWarnAndLeaveAnExistingDirectoryAloneWhenOthersMayEnterIt() throws Exception {
        Path directory = Files.createDirectory(temp.resolve("shared"));
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-x---"));

        FileJournal.open(directory);

        assertThat(permissions(directory)).isEqualTo("rwxr-x---");
        assertThat(appender.list).singleElement().satisfies(event -> assertThat(event.getFormattedMessage())
                .contains(directory.toString(), "rwxr-x---", "chmod 700"));
    }

    @Test
    void theJournalLogShouldBeReadableByItsOwnerOnlyAndAMailsLinesReadBackByItsNextAttempt() throws Exception {
        FileJournal journal = FileJournal.open(temp.resolve("journal"));
        List<MailAddress> recipients = List.of(new MailAddress("bob@b.test"), new MailAddress("carol@b.test"));

        try (MailJournal marks = journal.of(queued("new-1", "bob@b.test", "carol@b.test"))) {
            AttemptMarks attempt = marks.marksFor(List.of(0, 1), recipients);
            attempt.mark(0, Fate.DELIVERED);
            marks.sync();
        }
        try (MailJournal again = journal.of(queued("new-1", "bob@b.test", "carol@b.test"))) {
            assertThat(again.marks(recipients)).containsExactly(Map.entry(0, Fate.DELIVERED));
            again.marksFor(List.of(1), recipients).mark(0, Fate.BOUNCED);
            again.sync();
        }
        try (MailJournal third = journal.of(queued("new-1", "bob@b.test", "carol@b.test"))) {
            assertThat(third.marks(recipients)).containsOnly(Map.entry(0, Fate.DELIVERED), Map.entry(1, Fate.BOUNCED));
        }
        try (Stream<Path> files = Files.list(journal.directory())) {
            List<Path> logs = files.filter(file -> file.getFileName().toString().endsWith(".log")).toList();
            assertThat(logs).singleElement().satisfies(log -> {
                assertThat(permissions(log)).isEqualTo("rw-------");
                assertThat(Files.readString(log)).isEqualTo("new-1 0 delivered bob@b.test\nnew-1 1 bounced carol@b.test\n");
            });
        }
        assertThat(journal.directory().resolve("new-1" + FileJournal.SUFFIX)).as("no file of its own").doesNotExist();
        journal.close();
    }

    @Test
    void sweepShouldRemoveAndCountJournalsOlderThanTheMaxAgeAndKeepFreshHeldAndForeignFiles() throws Exception {
        FileJournal journal = FileJournal.open(temp.resolve("journal"));
        Path old = journalFile(journal, "old-1", Duration.ofDays(2));
        Path fresh = journalFile(journal, "fresh-1", Duration.ofHours(23));
        Path held = journalFile(journal, "held-1", Duration.ofDays(2));
        Path foreign = Files.writeString(journal.directory().resolve("notes.txt"), "mine");
        Files.setLastModifiedTime(foreign, FileTime.from(clock.instant().minus(Duration.ofDays(9))));
        JournalSweeper sweeper = sweeper(journal, DAY);

        try (MailJournal attempt = journal.of(queued("held-1", "bob@b.test"))) {
            assertThat(sweeper.sweep()).isEqualTo(1);
            assertThat(old).doesNotExist();
            assertThat(held).as("an attempt holds it").exists();
        }
        assertThat(sweeper.sweep()).as("released by its attempt").isEqualTo(1);

        assertThat(held).doesNotExist();
        assertThat(fresh).exists();
        assertThat(foreign).exists();
        assertThat(metricFactory.countFor(DeliveryMetrics.JOURNAL_SWEPT)).isEqualTo(2);
        assertThat(permissions(journal.directory().resolve(JournalSweeper.HEARTBEAT))).isEqualTo("rw-------");
    }

    @Test
    void startShouldCountOnlyTheTimeJamesRanWhenItWasStoppedForDays() throws Exception {
        FileJournal journal = FileJournal.open(temp.resolve("journal"));
        // James wrote the journal, ran one more hour (last heartbeat), then was stopped for three days.
        Path heartbeat = Files.writeString(journal.directory().resolve(JournalSweeper.HEARTBEAT), "");
        Files.setLastModifiedTime(heartbeat, FileTime.from(clock.instant().minus(Duration.ofDays(3))));
        Path file = journalFile(journal, "stopped-1", Duration.ofDays(3).plusHours(1));

        sweeper(journal, DAY).start("test-sweeper");

        assertThat(file).as("one hour of running time").exists();
        assertThat(Files.getLastModifiedTime(file).toInstant()).isEqualTo(clock.instant().minus(Duration.ofHours(1)));
        clock.advance(Duration.ofHours(23));
        assertThat(sweeper.sweep()).as("exactly a day of running time").isZero();
        clock.advance(Duration.ofMinutes(1));
        assertThat(sweeper.sweep()).isEqualTo(1);
        assertThat(file).doesNotExist();
    }

    @Test
    void startShouldGiveEveryJournalTheFullAgeFromNowWhenThereIsNoHeartbeat() throws Exception {
        FileJournal journal = FileJournal.open(temp.resolve("journal"));
        Path file = journalFile(journal, "unknown-1", Duration.ofDays(10));

        sweeper(journal, DAY).start("test-sweeper");

        assertThat(file).exists();
        assertThat(Files.getLastModifiedTime(file).toInstant()).isEqualTo(clock.instant());
        assertThat(journal.directory().resolve(JournalSweeper.HEARTBEAT)).exists();
    }

    @Test
    void maxAgeShouldDefaultToTwiceTheRetryDelaysAndAtLeastADay() {
        assertThat(JournalSweeper.maxAge(Optional.empty(), DelaySchedule.defaults())).isEqualTo(DAY);
        assertThat(JournalSweeper.maxAge(Optional.empty(), DelaySchedule.parse("1 day, 2 days", 2))).isEqualTo(Duration.ofDays(6));
        assertThat(JournalSweeper.maxAge(Optional.of("2 hours"), DelaySchedule.defaults())).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void maxAgeShouldBeRefusedNamingTheParameterWhenShorterThanAnHourOrMalformed() {
        assertThatThrownBy(() -> JournalSweeper.maxAge(Optional.of("30 minutes"), DelaySchedule.defaults()))
                .isInstanceOf(ConfigurationError.class)
                .hasMessageContaining("journalMaxAge").hasMessageContaining("30 minutes").hasMessageContaining("at least 1 hour");
        assertThatThrownBy(() -> JournalSweeper.maxAge(Optional.of("soon"), DelaySchedule.defaults()))
                .isInstanceOf(ConfigurationError.class).hasMessageContaining("journalMaxAge").hasMessageContaining("soon");
    }

    @Test
    void initShouldSweepAJournalLeftBehindWhileJamesRanAndCountIt() throws Exception {
        Path directory = Files.createDirectories(temp.resolve("mailet-journal"));
        Instant now = Instant.now();
        Path heartbeat = Files.writeString(directory.resolve(".alive"), "");
        Files.setLastModifiedTime(heartbeat, FileTime.from(now.minus(Duration.ofMinutes(5))));
        Path orphan = Files.writeString(directory.resolve("orphan-1.journal"), "0 delivered bob@b.test\n");
        Files.setLastModifiedTime(orphan, FileTime.from(now.minus(Duration.ofDays(3))));
        Path recent = Files.writeString(directory.resolve("recent-1.journal"), "0 delivered bob@b.test\n");

        mailet = new LmtpDelivery(new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory(), Clock.systemUTC()), metricFactory,
                () -> "james.test", Clock.systemUTC(), LmtpDelivery.ConsumerMode.DO_NOT_START);
        mailet.init(FakeMailetConfig.builder().mailetName("lmtp").mailetContext(FakeMailContext.defaultContext())
                .setProperty("destination", "inet:127.0.0.1:24").setProperty("outgoing", "journal-sweep")
                .setProperty("journalDirectory", directory.toString()).build());

        assertThat(orphan).doesNotExist();
        assertThat(recent).exists();
        assertThat(metricFactory.countFor("lmtpDeliveryJournalSwept")).isEqualTo(1);
    }

    @Test
    void initShouldFailNamingJournalMaxAgeWhenItIsTooShort() {
        mailet = new LmtpDelivery(new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory(), Clock.systemUTC()), metricFactory,
                () -> "james.test", Clock.systemUTC(), LmtpDelivery.ConsumerMode.DO_NOT_START);

        assertThatThrownBy(() -> mailet.init(FakeMailetConfig.builder().mailetName("lmtp").mailetContext(FakeMailContext.defaultContext())
                .setProperty("destination", "inet:127.0.0.1:24").setProperty("outgoing", "journal-short")
                .setProperty("journalDirectory", temp.resolve("short").toString()).setProperty("journalMaxAge", "5 minutes").build()))
                .hasMessageContaining("journalMaxAge").hasMessageContaining("5 minutes").hasMessageContaining("at least 1 hour");
    }
}
