package dev.jameslmtp.mailet.attempt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.outcome.Verdict;
import dev.jameslmtp.client.session.Stage;
import dev.jameslmtp.client.wire.EnhancedStatus;
import dev.jameslmtp.client.wire.Reply;
import dev.jameslmtp.conf.DelaySchedule;
import dev.jameslmtp.mailet.report.Bounces;

class OutcomeMapperTest {

    private static final DelaySchedule SCHEDULE = DelaySchedule.parse("1 minute, 5 minutes", 2);
    private final MailAddress bob = address("bob@b.test");

    private static MailAddress address(String text) {
        try {
            return new MailAddress(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static Verdict reply(Fate fate, Stage stage, int code, String line) {
        Reply reply = Reply.of(code, List.of(line));
        return new Verdict(fate, stage, Optional.of(reply), reply.status(), reply.text());
    }

    /** The result of one attempt on a mail for bob, with {@code verdict}. */
    private DeliveryResult result(Verdict verdict) {
        return new DeliveryResult(List.of(bob.asString()), List.of("d"), List.of(verdict));
    }

    private FakeMail mailWithRetries(int retries) throws Exception {
        FakeMail mail = FakeMail.builder().name("m").recipient(bob).build();
        RetryState.record(mail, Map.of(bob, retries));
        return mail;
    }

    @Test
    void mapShouldDeliverOn2xxAfterTheDot() {
        Verdict verdict = new OutcomeMapper(false, SCHEDULE).map(reply(Fate.DELIVERED, Stage.DOT, 250, "2.0.0 Saved"), 0);

        assertThat(verdict.fate()).isEqualTo(Fate.DELIVERED);
    }

    @Test
    void mapShouldBounceAPermanentFailureWithItsReplyAsDeliveryError() {
        Verdict verdict = new OutcomeMapper(false, SCHEDULE).map(reply(Fate.BOUNCED, Stage.RCPT, 550, "5.1.1 User doesn't exist: bob"), 0);

        assertThat(verdict.fate()).isEqualTo(Fate.BOUNCED);
        assertThat(verdict.permanent()).isTrue();
        assertThat(verdict.serverReply().map(Reply::code)).contains(550);
        assertThat(Bounces.deliveryError(verdict)).isEqualTo("550 5.1.1 User doesn't exist: bob");
    }

    @Test
    void mapShouldDeferATemporaryFailureWithTheNextDelayWhenRetriesAreLeft() throws Exception {
        Verdict verdict = new OutcomeMapper(false, SCHEDULE).map(reply(Fate.DEFERRED, Stage.DOT, 452, "4.2.2 Mailbox full"), 1);

        assertThat(verdict.fate()).isEqualTo(Fate.DEFERRED);
        int retries = RetryState.after(mailWithRetries(1), result(verdict), 0);
        assertThat(retries).isEqualTo(2);
        assertThat(SCHEDULE.delayBeforeRetry(retries)).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void mapShouldBounceATemporaryFailureAsNonPermanentWhenRetriesAreExhausted() throws Exception {
        Verdict verdict = new OutcomeMapper(false, SCHEDULE).map(reply(Fate.DEFERRED, Stage.DOT, 452, "4.2.2 Mailbox full"), 2);

        assertThat(verdict.fate()).isEqualTo(Fate.BOUNCED);
        assertThat(verdict.permanent()).isFalse();
        assertThat(verdict.status()).hasToString("4.2.2");
        assertThat(Bounces.deliveryError(verdict)).isEqualTo("452 4.2.2 Mailbox full");
        assertThat(RetryState.after(mailWithRetries(2), result(verdict), 0)).as("no retry scheduled").isEqualTo(2);
    }

    @Test
    void softBounceShouldKeepTheServerThatReplied() {
        Destination server = Destination.parse("inet:[127.0.0.1]:2424");
        Verdict verdict = new OutcomeMapper(true, SCHEDULE).map(reply(Fate.BOUNCED, Stage.RCPT, 550, "5.1.1 unknown").answeredBy(server), 0);

        assertThat(verdict.server()).contains(server);
    }

    @Test
    void softBounceShouldTurn5yzIntoA4yzDeferral() {
        Verdict verdict = new OutcomeMapper(true, SCHEDULE).map(reply(Fate.BOUNCED, Stage.MAIL, 554, "5.7.1 Rejected"), 0);

        assertThat(verdict.fate()).isEqualTo(Fate.DEFERRED);
        assertThat(Bounces.deliveryError(verdict)).isEqualTo("454 4.7.1 Rejected");
    }

    @Test
    void deliveryErrorShouldCarryNoCodeWhenTheVerdictWasDecidedLocally() {
        Verdict local = new Verdict(Fate.DEFERRED, Stage.CONNECT, Optional.empty(), new EnhancedStatus(4, 4, 1),
                "connect to inet:127.0.0.1:24: Connection refused");

        Verdict verdict = new OutcomeMapper(false, SCHEDULE).map(local, 2);

        assertThat(verdict.serverReply()).isEmpty();
        assertThat(Bounces.deliveryError(verdict)).isEqualTo("4.4.1 connect to inet:127.0.0.1:24: Connection refused");
    }

    @Test
    void deliveryErrorShouldNotReportAnUnexpectedReplyAsTheRecipientsCode() {
        Reply unexpected = Reply.of(250, "2.1.5 Ok");
        assertThatThrownBy(() -> new Verdict(Fate.DEFERRED, Stage.DATA, Optional.of(unexpected), new EnhancedStatus(4, 5, 0), "x"))
                .as("a deferral never carries a 2xx reply").isInstanceOf(IllegalArgumentException.class);
        Verdict protocolError = new Verdict(Fate.DEFERRED, Stage.DATA, Optional.empty(), new EnhancedStatus(4, 5, 0),
                "protocol error: unexpected reply '250 2.1.5 Ok' while sending DATA command");

        Verdict verdict = new OutcomeMapper(false, SCHEDULE).map(protocolError, 2);

        assertThat(verdict.serverReply()).isEmpty();
        assertThat(Bounces.deliveryError(verdict)).startsWith("4.5.0 protocol error");
    }

    @Test
    void anAttemptShouldRefuseARecipientWithoutAFate() {
        Verdict[] verdicts = new Verdict[2];
        DeliveryAttempt.decide("m", verdicts, 0, reply(Fate.DELIVERED, Stage.DOT, 250, "2.0.0 ok"));

        assertThat(DeliveryAttempt.decided("m", verdicts, 0, bob).fate()).isEqualTo(Fate.DELIVERED);
        assertThatThrownBy(() -> DeliveryAttempt.decided("m", verdicts, 1, bob))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("recipient #1 bob@b.test has no fate");
    }

    @Test
    void anAttemptShouldRefuseARecipientWithTwoFates() {
        Verdict[] verdicts = new Verdict[1];
        Verdict delivered = reply(Fate.DELIVERED, Stage.DOT, 250, "2.0.0 ok");
        DeliveryAttempt.decide("m", verdicts, 0, delivered);

        assertThatThrownBy(() -> DeliveryAttempt.decide("m", verdicts, 0, delivered))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has two fates");
        assertThatThrownBy(() -> DeliveryAttempt.decide("m", verdicts, 1, delivered))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("unknown recipient #1");
    }
}
