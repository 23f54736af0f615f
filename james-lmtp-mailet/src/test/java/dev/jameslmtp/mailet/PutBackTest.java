package dev.jameslmtp.mailet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.core.MailAddress;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.mailet.queue.PutBack;
import dev.jameslmtp.mailet.report.Bounces;

/** The one way back onto the queue: its tries, and the rule that picks the fallback. */
class PutBackTest {

    private static final AttributeName STAMP = AttributeName.of("put-back-test-stamp");

    private final FlakyQueueFactory queues = new FlakyQueueFactory(Clock.systemUTC());
    private final ManageableMailQueue queue = queues.createQueue(MailQueueName.of("put-back-test"));
    private final FakeMailContext context = FakeMailContext.defaultContext();
    private final AtomicInteger failures = new AtomicInteger();
    private final PutBack putBack = new PutBack(queue, context, failures::incrementAndGet);

    @Test
    void aCopyShouldHoldOnlyTheChosenRecipientsAndWhatTheStampSets() throws Exception {
        FakeMail mail = TestMails.mail("alice@a.test", "bob@b.test", "carol@b.test");

        PutBack.Stored stored = putBack.put(mail, List.of(new MailAddress("carol@b.test")), Duration.ZERO, this::stamp,
                PutBack.Fallback.ERROR_PROCESSOR);

        assertThat(stored).isEqualTo(PutBack.Stored.QUEUE);
        assertThat(queued()).singleElement().satisfies(copy -> {
            assertThat(copy.getName()).isEqualTo(mail.getName());
            assertThat(copy.getRecipients()).containsExactly(new MailAddress("carol@b.test"));
            assertThat(copy.getAttribute(STAMP)).isPresent();
        });
        assertThat(mail.getRecipients()).as("the mail itself is left as it was").hasSize(2);
        assertThat(failures).hasValue(0);
    }

    @Test
    void aQueueThatRefusesTwiceShouldTakeTheThirdTry() throws Exception {
        queues.failEnqueues(PutBack.TRIES - 1);

        PutBack.Stored stored = putBack.put(TestMails.mail("alice@a.test", "bob@b.test"), List.of(new MailAddress("bob@b.test")),
                Duration.ZERO, this::stamp, PutBack.Fallback.KEEP_THE_ITEM);

        assertThat(stored).isEqualTo(PutBack.Stored.QUEUE);
        assertThat(queued()).hasSize(1);
        assertThat(failures).hasValue(PutBack.TRIES - 1);
        assertThat(context.getSentMails()).isEmpty();
    }

    @Test
    void whileTheItemCanBeKeptARefusingQueueShouldLeaveItToTheQueueAndSendNothingElsewhere() throws Exception {
        queues.failEnqueues(PutBack.TRIES);

        assertThatThrownBy(() -> putBack.put(TestMails.mail("alice@a.test", "bob@b.test"), List.of(new MailAddress("bob@b.test")),
                Duration.ZERO, this::stamp, PutBack.Fallback.KEEP_THE_ITEM))
                .isInstanceOf(MailQueue.MailQueueException.class)
                .satisfies(last -> assertThat(last.getSuppressed()).as("the try before, kept").hasSize(1));

        assertThat(queued()).isEmpty();
        assertThat(failures).hasValue(PutBack.TRIES);
        assertThat(context.getSentMails()).isEmpty();
    }

    @Test
    void oncePartOfTheMailWasCarriedOutARefusingQueueShouldSendTheCopyToTheErrorProcessorWithTheReason() throws Exception {
        queues.failEnqueues(PutBack.TRIES);

        PutBack.Stored stored = putBack.put(TestMails.mail("alice@a.test", "bob@b.test", "full@b.test"),
                List.of(new MailAddress("full@b.test")), Duration.ofMinutes(5), this::stamp, PutBack.Fallback.ERROR_PROCESSOR);

        assertThat(stored).isEqualTo(PutBack.Stored.ERROR_PROCESSOR);
        assertThat(queued()).isEmpty();
        assertThat(context.getSentMails()).singleElement().satisfies(error -> {
            assertThat(error.getState()).isEqualTo(Mail.ERROR);
            assertThat(error.getRecipients()).containsExactly(new MailAddress("full@b.test"));
            assertThat(error.getAttributes().get(Bounces.DELIVERY_ERROR).getValue().value().toString())
                    .startsWith("4.3.0 could not put deferred recipients back");
        });
    }

    @Test
    void aHandBackShouldAcknowledgeTheItemOnceItsMailIsBackAndAskTheQueueToKeepItWhenRefused() throws Exception {
        List<MailQueue.MailQueueItem.CompletionStatus> acknowledgements = new ArrayList<>();
        putBack.handBack(new RecordingQueueItem(TestMails.mail("alice@a.test", "bob@b.test"), acknowledgements), Duration.ZERO, "a test");
        queues.failEnqueues(PutBack.TRIES);
        putBack.handBack(new RecordingQueueItem(TestMails.mail("alice@a.test", "carol@b.test"), acknowledgements), Duration.ZERO, "a test");

        assertThat(acknowledgements).containsExactly(MailQueue.MailQueueItem.CompletionStatus.SUCCESS,
                MailQueue.MailQueueItem.CompletionStatus.RETRY);
        assertThat(queued()).singleElement().satisfies(mail -> assertThat(mail.getRecipients()).containsExactly(new MailAddress("bob@b.test")));
        assertThat(context.getSentMails()).isEmpty();
    }

    private void stamp(Mail copy) {
        copy.setAttribute(new Attribute(STAMP, AttributeValue.of(true)));
    }

    private List<Mail> queued() throws Exception {
        List<Mail> mails = new ArrayList<>();
        queue.browse().forEachRemaining(item -> mails.add(item.getMail()));
        return mails;
    }
}
