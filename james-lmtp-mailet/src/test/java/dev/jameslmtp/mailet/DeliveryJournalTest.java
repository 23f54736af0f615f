package dev.jameslmtp.mailet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.mailet.attempt.RetryState;
import dev.jameslmtp.mailet.journal.DeliveryJournal;
import dev.jameslmtp.mailet.journal.FileJournal;
import dev.jameslmtp.mailet.journal.MailJournal;
import dev.jameslmtp.mailet.journal.SettledItems;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.Response;

/** The delivery journal: what it reads back after a crash, and what the consumer does with it. */
class DeliveryJournalTest {

    @TempDir
    Path directory;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
    }

    private static List<MailAddress> addresses(String... addresses) throws Exception {
        List<MailAddress> list = new ArrayList<>();
        for (String address : addresses) {
            list.add(new MailAddress(address));
        }
        return list;
    }

    private MailJournal journalWith(String content) throws Exception {
        Files.writeString(directory.resolve("id-1.journal"), content, StandardCharsets.UTF_8);
        FileJournal journals = FileJournal.open(directory);
        toClose.add(journals);
        FakeMail mail = TestMails.mail("alice@a.test", "a@b.test");
        DeliveryJournal.setId(mail, "id-1");
        return journals.tryOpen(mail).orElseThrow();
    }

    @Test
    void marksShouldIgnoreALastLineTornByACrash() throws Exception {
        List<MailAddress> recipients = addresses("a@b.test", "c@b.test");

        Map<Integer, Fate> marks = journalWith("0 delivered a@b.test\n1 deliv").marks(recipients);

        assertThat(marks).containsExactly(Map.entry(0, Fate.DELIVERED));
    }

    @Test
    void marksShouldLeaveARecipientUnmarkedWhenItsLineIsNotUnderstood() throws Exception {
        List<MailAddress> recipients = addresses("a@b.test", "c@b.test", "d@b.test", "e@b.test");
        MailJournal journal = journalWith("0 sent a@b.test\n1 delivered x@b.test\n9 delivered a@b.test\nnonsense\n3 bounced e@b.test\n");

        Map<Integer, Fate> marks = journal.marks(recipients);

        assertThat(marks).containsExactly(Map.entry(3, Fate.BOUNCED));
        assertThat(journal.unsettled(recipients, marks)).containsExactly(0, 1, 2);
    }

    @Test
    void marksShouldMatchDuplicateRecipientsByPosition() throws Exception {
        List<MailAddress> recipients = addresses("a@b.test", "a@b.test");
        MailJournal journal = journalWith("1 requeued a@b.test\n");

        assertThat(journal.unsettled(recipients, journal.marks(recipients))).containsExactly(0);
    }

    @Test
    void marksForShouldWriteTheMailsPositionsNotTheAttempts() throws Exception {
        List<MailAddress> recipients = addresses("a@b.test", "c@b.test", "d@b.test");
        MailJournal journal = journalWith("0 delivered a@b.test\n");

        journal.marksFor(List.of(1, 2), recipients).mark(1, Fate.BOUNCED);
        journal.close();

        assertThat(journal.marks(recipients)).containsExactlyInAnyOrderEntriesOf(
                Map.of(0, Fate.DELIVERED, 2, Fate.BOUNCED));
    }

    @Test
    void initShouldFailNamingJournalDirectoryWhenItCannotBeADirectory() throws Exception {
        Path file = Files.writeString(directory.resolve("a-file"), "x");
        LmtpDelivery mailet = new LmtpDelivery(new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory(), Clock.systemUTC()),
                new RecordingMetricFactory(), () -> "james.test", Clock.systemUTC(), LmtpDelivery.ConsumerMode.DO_NOT_START);
        toClose.add(mailet::destroy);

        assertThatThrownBy(() -> mailet.init(FakeMailetConfig.builder().mailetName("lmtp").mailetContext(FakeMailContext.defaultContext())
                .setProperty("destination", "inet:127.0.0.1:24")
                .setProperty("outgoing", "journal-bad-directory")
                .setProperty("journalDirectory", file.resolve("journal").toString())
                .build()))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("journalDirectory")
                .hasMessageContaining(file.resolve("journal").toString())
                .hasMessageContaining("a directory James can create and write files in");
    }

    private LmtpDelivery mailet(FakeLmtpServer server, String queue) throws Exception {
        LmtpDelivery mailet = new LmtpDelivery(new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory(), Clock.systemUTC()),
                new RecordingMetricFactory(), () -> "james.test", Clock.systemUTC(), LmtpDelivery.ConsumerMode.DO_NOT_START);
        toClose.add(mailet::destroy);
        mailet.init(FakeMailetConfig.builder().mailetName("lmtp").mailetContext(FakeMailContext.defaultContext())
                .setProperty("destination", "inet:127.0.0.1:" + server.port())
                .setProperty("outgoing", queue)
                .setProperty("journalDirectory", directory.toString())
                .setProperty("dotTimeout", "30s")
                .build());
        return mailet;
    }

    private static Mail queued(String id, String... recipients) throws Exception {
        FakeMail mail = TestMails.mail("alice@a.test", recipients);
        mail.setAttribute(new org.apache.mailet.Attribute(org.apache.mailet.AttributeName.of(DeliveryJournal.ID),
                org.apache.mailet.AttributeValue.of(id)));
        return mail;
    }

    private static MailQueue.MailQueueItem item(Mail mail, List<MailQueue.MailQueueItem.CompletionStatus> acknowledgements) {
        return new RecordingQueueItem(mail, acknowledgements);
    }

    @Test
    void processShouldSendOnlyRecipientsWithoutAMarkAndRemoveTheJournalOnceAcknowledged() throws Exception {
        FakeLmtpServer server = FakeLmtpServer.start(LmtpHandler.defaults());
        toClose.add(server);
        LmtpDelivery mailet = mailet(server, "journal-resume");
        Files.writeString(directory.resolve("resumed-1.journal"), "0 delivered bob@b.test\n2 requeued dan@b.test\n");
        List<MailQueue.MailQueueItem.CompletionStatus> acknowledgements = new ArrayList<>();

        mailet.pipeline().consumer().process(item(queued("resumed-1", "bob@b.test", "carol@b.test", "dan@b.test"), acknowledgements));

        assertThat(server.commands(0)).filteredOn(c -> c.startsWith("RCPT")).containsExactly("RCPT TO:<carol@b.test>");
        assertThat(acknowledgements).containsExactly(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
        assertThat(directory.resolve("resumed-1.journal")).doesNotExist();
    }

    @Test
    void processShouldSendNothingWhenEveryRecipientWasSettledBeforeARestart() throws Exception {
        FakeLmtpServer server = FakeLmtpServer.start(LmtpHandler.defaults());
        toClose.add(server);
        LmtpDelivery mailet = mailet(server, "journal-settled");
        Files.writeString(directory.resolve("settled-1.journal"), "0 delivered bob@b.test\n1 bounced carol@b.test\n");
        List<MailQueue.MailQueueItem.CompletionStatus> acknowledgements = new ArrayList<>();

        mailet.pipeline().consumer().process(item(queued("settled-1", "bob@b.test", "carol@b.test"), acknowledgements));

        assertThat(server.connectionCount()).isZero();
        assertThat(acknowledgements).containsExactly(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
        assertThat(directory.resolve("settled-1.journal")).doesNotExist();
    }

    @Test
    void processShouldMarkARecipientDeliveredAsSoonAsIts2xxIsReadWhileTheStoreHoldsTheNext() throws Exception {
        FakeLmtpServer server = FakeLmtpServer.start(new LmtpHandler() {
            @Override
            public List<Response> afterDot(List<String> accepted, byte[] body) {
                return List.of(Response.reply("250 2.0.0 Saved"), Response.stall());
            }
        });
        toClose.add(server);
        LmtpDelivery mailet = mailet(server, "journal-early");
        List<MailQueue.MailQueueItem.CompletionStatus> acknowledgements = new ArrayList<>();

        CompletableFuture<Void> attempt = CompletableFuture.runAsync(() ->
                mailet.pipeline().consumer().process(item(uncheckedQueued("early-1", "bob@b.test", "carol@b.test"), acknowledgements)));
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> logText().equals("early-1 0 delivered bob@b.test\n"));
            assertThat(attempt).isNotDone();
        } finally {
            mailet.pipeline().abortSessions();
            attempt.get(10, TimeUnit.SECONDS);
        }
        assertThat(acknowledgements).containsExactly(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
        assertThat(logText()).as("carol's fate follows bob's in the log").startsWith("early-1 0 delivered bob@b.test\nearly-1 1 ");
    }

    /** The lines of the journal's log segments, in order. */
    private String logText() throws Exception {
        try (java.util.stream.Stream<Path> files = Files.list(directory)) {
            StringBuilder text = new StringBuilder();
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList()) {
                text.append(Files.readString(file, StandardCharsets.UTF_8));
            }
            return text.toString();
        }
    }

    private static Mail uncheckedQueued(String id, String... recipients) {
        try {
            return queued(id, recipients);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Mail> queuedMails(LmtpDelivery mailet) throws Exception {
        List<Mail> mails = new ArrayList<>();
        ((org.apache.james.queue.api.ManageableMailQueue) mailet.pipeline().queue()).browse().forEachRemaining(view -> mails.add(view.getMail()));
        return mails;
    }

    private static Object journalId(Mail mail) {
        return mail.getAttribute(org.apache.mailet.AttributeName.of(DeliveryJournal.ID)).orElseThrow().getValue().value();
    }

    /** RCPT commands over every connection (the pool may reuse one). */
    private static List<String> rcpts(FakeLmtpServer server) {
        List<String> rcpts = new ArrayList<>();
        for (int i = 0; i < server.connectionCount(); i++) {
            server.commands(i).stream().filter(c -> c.startsWith("RCPT")).forEach(rcpts::add);
        }
        return rcpts;
    }

    /** The mail as James's spool hands it out again after a kill: the same mail, message and all. */
    private static Mail replayOf(Mail mail) throws Exception {
        Mail again = org.apache.james.server.core.MailImpl.duplicate(mail);
        again.setName(mail.getName());
        return again;
    }

    private static FakeMail named(String name, String... recipients) throws Exception {
        FakeMail mail = TestMails.mail("alice@a.test", recipients);
        mail.setName(name);
        return mail;
    }

    @Test
    void serviceShouldDeriveTheJournalIdFromTheMailSoThatTheSpoolHandingItOutAgainGivesTheSameOne() throws Exception {
        FakeLmtpServer server = FakeLmtpServer.start(LmtpHandler.defaults());
        toClose.add(server);
        LmtpDelivery mailet = mailet(server, "journal-ids");

        Mail mail = named("Mail-1", "bob@b.test");
        Mail replay = replayOf(mail);
        mailet.service(mail);
        mailet.service(replay); // James's spool hands the mail out again after a kill
        mailet.service(named("Mail-2", "bob@b.test"));

        List<Object> ids = queuedMails(mailet).stream().map(DeliveryJournalTest::journalId).toList();
        assertThat(ids).hasSize(3);
        assertThat(ids.get(0)).isEqualTo(ids.get(1)).isNotEqualTo(ids.get(2));
    }

    @Test
    void aMailQueuedTwiceByASpoolHandingItOutAgainShouldBeDeliveredOnce() throws Exception {
        FakeLmtpServer server = FakeLmtpServer.start(LmtpHandler.defaults());
        toClose.add(server);
        LmtpDelivery mailet = mailet(server, "journal-spool-twice");
        Mail mail = named("Mail-1", "bob@b.test", "carol@b.test");
        Mail replay = replayOf(mail);
        mailet.service(mail);
        mailet.service(replay);
        List<Mail> copies = queuedMails(mailet);
        List<MailQueue.MailQueueItem.CompletionStatus> acknowledgements = new ArrayList<>();

        mailet.pipeline().consumer().process(item(copies.get(0), acknowledgements));
        mailet.pipeline().consumer().process(item(copies.get(1), acknowledgements));

        assertThat(rcpts(server)).containsExactly("RCPT TO:<bob@b.test>", "RCPT TO:<carol@b.test>");
        assertThat(acknowledgements).containsExactly(MailQueue.MailQueueItem.CompletionStatus.SUCCESS,
                MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
    }

    @Test
    void aSecondCopyShouldNotBeSentAfterARestartWhenTheFirstWasSettledBeforeIt() throws Exception {
        FakeLmtpServer server = FakeLmtpServer.start(LmtpHandler.defaults());
        toClose.add(server);
        LmtpDelivery first = mailet(server, "journal-settled-restart");
        first.pipeline().consumer().process(item(queued("twice-1", "bob@b.test"), new ArrayList<>()));
        first.destroy();
        assertThat(directory.resolve(SettledItems.CURRENT)).content().isEqualTo("twice-1\n");

        LmtpDelivery restarted = mailet(server, "journal-settled-restart-2");
        List<MailQueue.MailQueueItem.CompletionStatus> acknowledgements = new ArrayList<>();
        restarted.pipeline().consumer().process(item(queued("twice-1", "bob@b.test"), acknowledgements));

        assertThat(rcpts(server)).containsExactly("RCPT TO:<bob@b.test>");
        assertThat(acknowledgements).containsExactly(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
    }

    @Test
    void aSecondCopyShouldBeHandedBackWhileTheFirstIsInAnAttempt() throws Exception {
        FakeLmtpServer server = FakeLmtpServer.start(new LmtpHandler() {
            @Override
            public List<Response> afterDot(List<String> accepted, byte[] body) {
                return List.of(Response.stall());
            }
        });
        toClose.add(server);
        LmtpDelivery mailet = mailet(server, "journal-side-by-side");
        List<MailQueue.MailQueueItem.CompletionStatus> first = new ArrayList<>();
        CompletableFuture<Void> attempt = CompletableFuture.runAsync(() ->
                mailet.pipeline().consumer().process(item(uncheckedQueued("side-1", "bob@b.test"), first)));
        List<MailQueue.MailQueueItem.CompletionStatus> second = new ArrayList<>();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> server.commands(0).contains("DATA"));

            mailet.pipeline().consumer().process(item(queued("side-1", "bob@b.test"), second));

            assertThat(server.connectionCount()).isEqualTo(1);
            assertThat(second).containsExactly(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
            assertThat(queuedMails(mailet)).singleElement().satisfies(back -> assertThat(journalId(back)).isEqualTo("side-1"));
        } finally {
            mailet.pipeline().abortSessions();
            attempt.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aMailSentThroughTheMailetAgainFromTheErrorRepositoryShouldBeANewItem() throws Exception {
        FakeLmtpServer server = FakeLmtpServer.start(LmtpHandler.defaults());
        toClose.add(server);
        LmtpDelivery mailet = mailet(server, "journal-reprocessed");
        mailet.service(named("Mail-1", "bob@b.test"));
        Mail queuedFirst = queuedMails(mailet).get(0);
        mailet.pipeline().consumer().process(item(queuedFirst, new ArrayList<>()));
        FakeMail fromErrorRepository = named("Mail-1", "bob@b.test");
        fromErrorRepository.setAttribute(new org.apache.mailet.Attribute(org.apache.mailet.AttributeName.of(DeliveryJournal.ID),
                org.apache.mailet.AttributeValue.of((String) journalId(queuedFirst))));

        mailet.service(fromErrorRepository);
        Mail queuedAgain = queuedMails(mailet).get(1); // browsing leaves the first item on the queue
        mailet.pipeline().consumer().process(item(queuedAgain, new ArrayList<>()));

        assertThat(journalId(queuedAgain)).isNotEqualTo(journalId(queuedFirst));
        assertThat(rcpts(server)).containsExactly("RCPT TO:<bob@b.test>", "RCPT TO:<bob@b.test>");
    }

    @Test
    void putBacksShouldBeReadFromWholeExactLines() throws Exception {
        List<MailAddress> recipients = addresses("a@b.test", "c@b.test", "d@b.test");
        MailJournal journal = journalWith("0 requeuing/copy-1/2/60 a@b.test\n0 requeued a@b.test\n1 requeuing/copy-2/3/3600 c@b.test\n"
                + "2 requeuing/../9/1 d@b.test\n");

        assertThat(journal.putBacks(recipients)).containsOnly(
                Map.entry(0, new MailJournal.PutBack("copy-1", 2, Duration.ofMinutes(1))),
                Map.entry(1, new MailJournal.PutBack("copy-2", 3, Duration.ofHours(1))));
        assertThat(journal.unsettled(recipients, journal.marks(recipients))).containsExactly(1, 2);
    }

    @Test
    void aPutBackCutByAKillShouldBeMadeAgainUnderItsCopyIdInsteadOfSendingTheRecipient() throws Exception {
        FakeLmtpServer server = FakeLmtpServer.start(LmtpHandler.defaults());
        toClose.add(server);
        LmtpDelivery mailet = mailet(server, "journal-put-back-again");
        // James died after the queue took the copy for carol and erin, and before erin's 'requeued' line
        Files.writeString(directory.resolve("cut-1.journal"), "0 delivered bob@b.test\n1 requeuing/copy-7/2/60 carol@b.test\n"
                + "3 requeuing/copy-7/1/60 erin@b.test\n1 requeued carol@b.test\n");
        List<MailQueue.MailQueueItem.CompletionStatus> acknowledgements = new ArrayList<>();

        mailet.pipeline().consumer().process(item(queued("cut-1", "bob@b.test", "carol@b.test", "dan@b.test", "erin@b.test"), acknowledgements));

        assertThat(rcpts(server)).containsExactly("RCPT TO:<dan@b.test>");
        assertThat(queuedMails(mailet)).singleElement().satisfies(copy -> {
            assertThat(journalId(copy)).isEqualTo("copy-7");
            assertThat(copy.getRecipients()).extracting(MailAddress::asString).containsExactly("carol@b.test", "erin@b.test");
            assertThat(RetryState.retriesOf(copy, new MailAddress("carol@b.test"))).isEqualTo(2);
            assertThat(RetryState.retriesOf(copy, new MailAddress("erin@b.test"))).isEqualTo(1);
        });
        assertThat(acknowledgements).containsExactly(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
    }

    @Test
    void aPutBackShouldWriteItsCopyIdBeforeTheEnqueueAndRequeuedAfter() throws Exception {
        FakeLmtpServer server = FakeLmtpServer.start(new PerRecipientHandler().rcpt("carol@b.test", "451 4.2.0 Try later"));
        toClose.add(server);
        LmtpDelivery mailet = mailet(server, "journal-put-back-order");
        List<String> lines = new ArrayList<>();
        mailet.pipeline().journal().beforeWrite(line -> lines.add(line.strip()));

        mailet.pipeline().consumer().process(item(queued("order-1", "bob@b.test", "carol@b.test"), new ArrayList<>()));

        Object copyId = journalId(queuedMails(mailet).get(0));
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).isEqualTo("0 delivered bob@b.test");
        // the delay of the first retry, 1 minute, spread by retryJitter (at most 10 % later)
        assertThat(lines.get(1)).matches("1 requeuing/" + copyId + "/1/6[0-6] carol@b\\.test");
        assertThat(lines.subList(2, 4)).containsExactly("1 requeued carol@b.test", MailJournal.SYNC);
    }
}
