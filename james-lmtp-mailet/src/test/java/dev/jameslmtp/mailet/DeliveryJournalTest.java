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
        return new MailJournal("m1", java.util.Optional.of(directory.resolve("id-1.journal")), line -> { });
    }

    @Test
    void marksShouldIgnoreALastLineTornByACrash() throws Exception {
        List<MailAddress> recipients = addresses("a@b.test", "c@b.test");

        Map<Integer, MailJournal.Mark> marks = journalWith("0 delivered a@b.test\n1 deliv").marks(recipients);

        assertThat(marks).containsExactly(Map.entry(0, MailJournal.Mark.DELIVERED));
    }

    @Test
    void marksShouldLeaveARecipientUnmarkedWhenItsLineIsNotUnderstood() throws Exception {
        List<MailAddress> recipients = addresses("a@b.test", "c@b.test", "d@b.test", "e@b.test");
        MailJournal journal = journalWith("0 sent a@b.test\n1 delivered x@b.test\n9 delivered a@b.test\nnonsense\n3 bounced e@b.test\n");

        Map<Integer, MailJournal.Mark> marks = journal.marks(recipients);

        assertThat(marks).containsExactly(Map.entry(3, MailJournal.Mark.BOUNCED));
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

        journal.marksFor(List.of(1, 2), recipients).mark(1, MailJournal.Mark.BOUNCED);
        journal.close();

        assertThat(journal.marks(recipients)).containsExactlyInAnyOrderEntriesOf(
                Map.of(0, MailJournal.Mark.DELIVERED, 2, MailJournal.Mark.BOUNCED));
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
        FakeMail mail = LmtpDeliveryTest.mail("alice@a.test", recipients);
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

        mailet.consumer().process(item(queued("resumed-1", "bob@b.test", "carol@b.test", "dan@b.test"), acknowledgements));

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

        mailet.consumer().process(item(queued("settled-1", "bob@b.test", "carol@b.test"), acknowledgements));

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
        Path journal = directory.resolve("early-1.journal");

        CompletableFuture<Void> attempt = CompletableFuture.runAsync(() ->
                mailet.consumer().process(item(uncheckedQueued("early-1", "bob@b.test", "carol@b.test"), acknowledgements)));
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(journal)
                    && Files.readString(journal).equals("0 delivered bob@b.test\n"));
            assertThat(attempt).isNotDone();
        } finally {
            mailet.abortSessions();
            attempt.get(10, TimeUnit.SECONDS);
        }
        assertThat(acknowledgements).containsExactly(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
        assertThat(journal).doesNotExist();
    }

    private static Mail uncheckedQueued(String id, String... recipients) {
        try {
            return queued(id, recipients);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void serviceShouldGiveEachQueuedCopyAJournalIdOfItsOwn() throws Exception {
        FakeLmtpServer server = FakeLmtpServer.start(LmtpHandler.defaults());
        toClose.add(server);
        LmtpDelivery mailet = mailet(server, "journal-ids");

        mailet.service(LmtpDeliveryTest.mail("alice@a.test", "bob@b.test"));
        mailet.service(LmtpDeliveryTest.mail("alice@a.test", "bob@b.test"));

        List<Object> ids = new ArrayList<>();
        ((org.apache.james.queue.api.ManageableMailQueue) mailet.queue()).browse().forEachRemaining(view -> ids.add(
                view.getMail().getAttribute(org.apache.mailet.AttributeName.of(DeliveryJournal.ID)).orElseThrow().getValue().value()));
        assertThat(ids).hasSize(2).doesNotHaveDuplicates();
    }
}
