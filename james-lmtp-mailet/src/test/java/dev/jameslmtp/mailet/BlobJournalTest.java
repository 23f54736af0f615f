package dev.jameslmtp.mailet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.mail.MessagingException;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.ManageableMailQueue;
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
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.jameslmtp.mailet.journal.BlobJournal;
import dev.jameslmtp.mailet.journal.DeliveryJournal;
import dev.jameslmtp.mailet.journal.MailJournal;
import dev.jameslmtp.mailet.journal.RecordingBlobStore;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.Response;

/**
 * The delivery journal in James's blob store, as several James nodes on one RabbitMQ queue use it:
 * each "node" is an LmtpDelivery of its own (its own queue, its own in-process claims) over one
 * shared {@link RecordingBlobStore} (James's memory DAO). Node A is "killed" in an attempt (its
 * store holds the next reply), and the queue hands the same item to node B.
 */
class BlobJournalTest {

    private static final String QUEUE = "lmtp-outgoing";

    private final RecordingBlobStore store = new RecordingBlobStore();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
    }

    private LmtpDelivery node(FakeLmtpServer server) throws Exception {
        LmtpDelivery mailet = new LmtpDelivery(new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory(), Clock.systemUTC()),
                new RecordingMetricFactory(), () -> "james.test", Clock.systemUTC(), LmtpDelivery.ConsumerMode.DO_NOT_START);
        toClose.add(mailet::destroy);
        mailet.setBlobStoreDAO(store);
        mailet.setBlobIdFactory(RecordingBlobStore.IDS);
        mailet.init(FakeMailetConfig.builder().mailetName("lmtp").mailetContext(FakeMailContext.defaultContext())
                .setProperty("destination", "inet:127.0.0.1:" + server.port())
                .setProperty("outgoing", QUEUE)
                .setProperty("journalStore", "blobstore")
                .setProperty("dotTimeout", "30s")
                .build());
        return mailet;
    }

    private FakeLmtpServer server(LmtpHandler handler) {
        FakeLmtpServer server = FakeLmtpServer.start(handler);
        toClose.add(server);
        return server;
    }

    /** The mail as the queue hands it out, on any node: the same journal id each time. */
    private static Mail queued(String id, String... recipients) throws Exception {
        FakeMail mail = TestMails.mail("alice@a.test", recipients);
        mail.setAttribute(new Attribute(AttributeName.of(DeliveryJournal.ID), AttributeValue.of(id)));
        return mail;
    }

    private static MailQueue.MailQueueItem item(Mail mail, List<MailQueue.MailQueueItem.CompletionStatus> acknowledgements) {
        return new RecordingQueueItem(mail, acknowledgements);
    }

    private static String blob(String id) {
        return "journal." + QUEUE + "." + id;
    }

    /** RCPT commands over every connection. */
    private static List<String> rcpts(FakeLmtpServer server) {
        List<String> rcpts = new ArrayList<>();
        for (int i = 0; i < server.connectionCount(); i++) {
            server.commands(i).stream().filter(c -> c.startsWith("RCPT")).forEach(rcpts::add);
        }
        return rcpts;
    }

    /** 250 after the dot for each recipient; with two recipients, the store saves the first and holds the second reply. */
    private static LmtpHandler holdingTheSecondReply() {
        return new LmtpHandler() {
            @Override
            public List<Response> afterDot(List<String> accepted, byte[] body) {
                if (accepted.size() == 2) {
                    return List.of(Response.reply("250 2.0.0 Saved"), Response.stall());
                }
                return accepted.stream().map(rcpt -> Response.reply("250 2.0.0 Saved")).toList();
            }
        };
    }

    @Test
    void anotherNodeShouldSendOnlyTheRecipientsWhose2xxTheKilledNodeHadNotRead() throws Exception {
        FakeLmtpServer server = server(holdingTheSecondReply());
        LmtpDelivery nodeA = node(server);
        LmtpDelivery nodeB = node(server);
        List<MailQueue.MailQueueItem.CompletionStatus> ackA = new ArrayList<>();
        List<MailQueue.MailQueueItem.CompletionStatus> ackB = new ArrayList<>();

        CompletableFuture<Void> attemptA = CompletableFuture.runAsync(() -> {
            try {
                nodeA.pipeline().consumer().process(item(queued("killed-1", "bob@b.test", "carol@b.test"), ackA));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            // node A read bob's 250; the store holds carol's reply: A is killed now, nothing synced or acknowledged
            await().atMost(Duration.ofSeconds(10)).until(() -> store.text(blob("killed-1")).filter(text -> text.endsWith(
                    "\n0 delivered bob@b.test\n")).isPresent());
            assertThat(attemptA).isNotDone();
            assertThat(ackA).isEmpty();
            assertThat(store.text(blob("killed-1")).orElseThrow()).startsWith("journal ");

            // RabbitMQ hands the unacknowledged item to node B, which reads A's marks in the shared store
            nodeB.pipeline().consumer().process(item(queued("killed-1", "bob@b.test", "carol@b.test"), ackB));

            assertThat(rcpts(server)).containsExactly("RCPT TO:<bob@b.test>", "RCPT TO:<carol@b.test>", "RCPT TO:<carol@b.test>");
            assertThat(ackB).containsExactly(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
            assertThat(store.text(blob("killed-1")).orElseThrow()).as("settled once B's item was acknowledged").startsWith("settled ");
        } finally {
            nodeA.pipeline().abortSessions();
            attemptA.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSecondCopyOfASettledMailShouldBeAcknowledgedWithoutAnAttemptOnAnotherNode() throws Exception {
        FakeLmtpServer server = server(LmtpHandler.defaults());
        LmtpDelivery nodeA = node(server);
        LmtpDelivery nodeB = node(server);
        List<MailQueue.MailQueueItem.CompletionStatus> ackA = new ArrayList<>();
        List<MailQueue.MailQueueItem.CompletionStatus> ackB = new ArrayList<>();

        nodeA.pipeline().consumer().process(item(queued("twice-1", "bob@b.test"), ackA));
        int connections = server.connectionCount();
        nodeB.pipeline().consumer().process(item(queued("twice-1", "bob@b.test"), ackB)); // a kill left the mail twice on the queue

        assertThat(rcpts(server)).containsExactly("RCPT TO:<bob@b.test>");
        assertThat(server.connectionCount()).isEqualTo(connections);
        assertThat(ackA).containsExactly(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
        assertThat(ackB).containsExactly(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
        assertThat(store.text(blob("twice-1")).orElseThrow()).as("the settled record stays for later copies").matches("settled \\d+\n");
    }

    @Test
    void anAttemptShouldCostOneReadOneSavePerMarkAndOneSaveToSettle() throws Exception {
        FakeLmtpServer server = server(new PerRecipientHandler().afterDot("dan@b.test", "450 4.2.0 Try later"));
        LmtpDelivery node = node(server);
        List<MailQueue.MailQueueItem.CompletionStatus> acknowledgements = new ArrayList<>();

        node.pipeline().consumer().process(item(queued("cost-1", "bob@b.test", "carol@b.test", "dan@b.test"), acknowledgements));

        String name = blob("cost-1");
        assertThat(store.calls("journal.")).as("two delivered, one deferred (put-back line and requeued line), settled").containsExactly(
                "read " + name, "save " + name, "save " + name, "save " + name, "save " + name, "save " + name);
        assertThat(acknowledgements).containsExactly(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
        assertThat(queuedRecipients(node)).containsExactly("dan@b.test");
    }

    @Test
    void aBlobStoreFailingInTheAttemptShouldLoseNoMailAndWarnOfWhatWouldBeSentAgain() throws Exception {
        FakeLmtpServer server = server(new PerRecipientHandler().afterDot("carol@b.test", "450 4.2.0 Try later"));
        LmtpDelivery node = node(server);
        List<MailQueue.MailQueueItem.CompletionStatus> acknowledgements = new ArrayList<>();
        ListAppender<ILoggingEvent> warnings = listen();
        store.failing.set(true);

        node.pipeline().consumer().process(item(queued("down-1", "bob@b.test", "carol@b.test"), acknowledgements));

        assertThat(rcpts(server)).containsExactly("RCPT TO:<bob@b.test>", "RCPT TO:<carol@b.test>");
        assertThat(acknowledgements).containsExactly(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
        assertThat(queuedRecipients(node)).as("the deferred recipient back on the queue").containsExactly("carol@b.test");
        assertThat(warnings.list).extracting(ILoggingEvent::getFormattedMessage)
                .anySatisfy(line -> assertThat(line).contains("Could not read the delivery journal", "every recipient is sent again"))
                .anySatisfy(line -> assertThat(line).contains("Could not write", "recipient bob@b.test would be sent again"));
    }

    @Test
    void aBlobStoreThatCannotBeReadShouldHaveEveryRecipientSentAgainRatherThanLost() throws Exception {
        FakeLmtpServer server = server(LmtpHandler.defaults());
        LmtpDelivery node = node(server);
        store.put(blob("unread-1"), "journal 1767225600000\n0 delivered bob@b.test\n");
        store.failing.set(true);
        List<MailQueue.MailQueueItem.CompletionStatus> acknowledgements = new ArrayList<>();

        node.pipeline().consumer().process(item(queued("unread-1", "bob@b.test", "carol@b.test"), acknowledgements));

        assertThat(rcpts(server)).containsExactly("RCPT TO:<bob@b.test>", "RCPT TO:<carol@b.test>");
        assertThat(acknowledgements).containsExactly(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
    }

    @Test
    void initShouldFailNamingJournalStoreWhenTheValueIsUnknown() {
        LmtpDelivery mailet = new LmtpDelivery(new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory(), Clock.systemUTC()),
                new RecordingMetricFactory(), () -> "james.test", Clock.systemUTC(), LmtpDelivery.ConsumerMode.DO_NOT_START);
        toClose.add(mailet::destroy);

        assertThatThrownBy(() -> mailet.init(FakeMailetConfig.builder().mailetName("lmtp").mailetContext(FakeMailContext.defaultContext())
                .setProperty("destination", "inet:127.0.0.1:24")
                .setProperty("outgoing", "journal-store-bad")
                .setProperty("journalStore", "s3")
                .build()))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("journalStore")
                .hasMessageContaining("'s3'")
                .hasMessageContaining("auto (James's blob store on its RabbitMQ queue, else files), file or blobstore");
    }

    @Test
    void initShouldFailNamingJournalStoreWhenJamesBindsNoBlobStore() {
        LmtpDelivery mailet = new LmtpDelivery(new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory(), Clock.systemUTC()),
                new RecordingMetricFactory(), () -> "james.test", Clock.systemUTC(), LmtpDelivery.ConsumerMode.DO_NOT_START);
        toClose.add(mailet::destroy);

        assertThatThrownBy(() -> mailet.init(FakeMailetConfig.builder().mailetName("lmtp").mailetContext(FakeMailContext.defaultContext())
                .setProperty("destination", "inet:127.0.0.1:24")
                .setProperty("outgoing", "journal-store-unbound")
                .setProperty("journalStore", "blobstore")
                .build()))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("journalStore")
                .hasMessageContaining("binds no BlobStoreDAO");
    }

    private ListAppender<ILoggingEvent> listen() {
        Logger logger = (Logger) LoggerFactory.getLogger(MailJournal.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        toClose.add(() -> logger.detachAppender(appender));
        return appender;
    }

    private static List<String> queuedRecipients(LmtpDelivery mailet) throws Exception {
        List<String> recipients = new ArrayList<>();
        ((ManageableMailQueue) mailet.pipeline().queue()).browse().forEachRemaining(view -> view.getMail().getRecipients()
                .forEach(recipient -> recipients.add(recipient.asString())));
        return recipients;
    }

    @Test
    void theJournalShouldBeTheBlobStoresWhenAsked() throws Exception {
        LmtpDelivery node = node(server(LmtpHandler.defaults()));

        assertThat(node.pipeline().journal()).isInstanceOf(BlobJournal.class);
        assertThat(node.pipeline().journal().describe()).isEqualTo("blobs journal.lmtp-outgoing.* in the bucket lmtp-journal of James's blob store");
    }
}
