package dev.jameslmtp.mailet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.outcome.Verdict;
import dev.jameslmtp.client.session.Stage;
import dev.jameslmtp.client.wire.EnhancedStatus;
import dev.jameslmtp.client.wire.Reply;
import dev.jameslmtp.conf.DelaySchedule;

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

    @Test
    void mapShouldDeliverOn2xxAfterTheDot() {
        RecipientFate fate = new OutcomeMapper(false, SCHEDULE).map(0, bob, "d", reply(Fate.DELIVERED, Stage.DOT, 250, "2.0.0 Saved"), 0);

        assertThat(fate.fate()).isEqualTo(Fate.DELIVERED);
    }

    @Test
    void mapShouldBounceAPermanentFailureWithItsReplyAsDeliveryError() {
        RecipientFate fate = new OutcomeMapper(false, SCHEDULE)
                .map(0, bob, "d", reply(Fate.BOUNCED, Stage.RCPT, 550, "5.1.1 User doesn't exist: bob"), 0);

        assertThat(fate.fate()).isEqualTo(Fate.BOUNCED);
        assertThat(fate.permanent()).isTrue();
        assertThat(fate.code()).contains(550);
        assertThat(fate.deliveryError()).isEqualTo("550 5.1.1 User doesn't exist: bob");
    }

    @Test
    void mapShouldDeferATemporaryFailureWithTheNextDelayWhenRetriesAreLeft() {
        RecipientFate fate = new OutcomeMapper(false, SCHEDULE)
                .map(0, bob, "d", reply(Fate.DEFERRED, Stage.DOT, 452, "4.2.2 Mailbox full"), 1);

        assertThat(fate.fate()).isEqualTo(Fate.DEFERRED);
        assertThat(fate.retries()).isEqualTo(2);
        assertThat(fate.retryDelay()).contains(Duration.ofMinutes(5));
    }

    @Test
    void mapShouldBounceATemporaryFailureAsNonPermanentWhenRetriesAreExhausted() {
        RecipientFate fate = new OutcomeMapper(false, SCHEDULE)
                .map(0, bob, "d", reply(Fate.DEFERRED, Stage.DOT, 452, "4.2.2 Mailbox full"), 2);

        assertThat(fate.fate()).isEqualTo(Fate.BOUNCED);
        assertThat(fate.permanent()).isFalse();
        assertThat(fate.deliveryError()).isEqualTo("452 4.2.2 Mailbox full");
    }

    @Test
    void softBounceShouldKeepTheServerThatReplied() {
        Destination server = Destination.parse("inet:[127.0.0.1]:2424");
        RecipientFate fate = new OutcomeMapper(true, SCHEDULE)
                .map(0, bob, "d", reply(Fate.BOUNCED, Stage.RCPT, 550, "5.1.1 unknown").answeredBy(server), 0);

        assertThat(fate.verdict().server()).contains(server);
    }

    @Test
    void softBounceShouldTurn5yzIntoA4yzDeferral() {
        RecipientFate fate = new OutcomeMapper(true, SCHEDULE)
                .map(0, bob, "d", reply(Fate.BOUNCED, Stage.MAIL, 554, "5.7.1 Rejected"), 0);

        assertThat(fate.fate()).isEqualTo(Fate.DEFERRED);
        assertThat(fate.deliveryError()).isEqualTo("454 4.7.1 Rejected");
    }

    @Test
    void deliveryErrorShouldCarryNoCodeWhenTheVerdictWasDecidedLocally() {
        Verdict local = new Verdict(Fate.DEFERRED, Stage.CONNECT, Optional.empty(), new EnhancedStatus(4, 4, 1),
                "connect to inet:127.0.0.1:24: Connection refused");

        RecipientFate fate = new OutcomeMapper(false, SCHEDULE).map(0, bob, "d", local, 2);

        assertThat(fate.code()).isEmpty();
        assertThat(fate.deliveryError()).isEqualTo("4.4.1 connect to inet:127.0.0.1:24: Connection refused");
    }

    @Test
    void deliveryErrorShouldNotReportAnUnexpectedReplyAsTheRecipientsCode() {
        Reply unexpected = Reply.of(250, "2.1.5 Ok");
        assertThatThrownBy(() -> new Verdict(Fate.DEFERRED, Stage.DATA, Optional.of(unexpected), new EnhancedStatus(4, 5, 0), "x"))
                .as("a deferral never carries a 2xx reply").isInstanceOf(IllegalArgumentException.class);
        Verdict protocolError = new Verdict(Fate.DEFERRED, Stage.DATA, Optional.empty(), new EnhancedStatus(4, 5, 0),
                "protocol error: unexpected reply '250 2.1.5 Ok' while sending DATA command");

        RecipientFate fate = new OutcomeMapper(false, SCHEDULE).map(0, bob, "d", protocolError, 2);

        assertThat(fate.code()).isEmpty();
        assertThat(fate.deliveryError()).startsWith("4.5.0 protocol error");
    }

    @Test
    void mailOutcomesShouldRefuseARecipientWithoutAFate() {
        RecipientFate fate = new OutcomeMapper(false, SCHEDULE).map(0, bob, "d", reply(Fate.DELIVERED, Stage.DOT, 250, "2.0.0 ok"), 0);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new MailOutcomes("m", List.of(bob, bob), List.of(fate)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("recipient #1 bob@b.test has no fate");
    }

    @Test
    void mailOutcomesShouldRefuseARecipientWithTwoFates() {
        RecipientFate fate = new OutcomeMapper(false, SCHEDULE).map(0, bob, "d", reply(Fate.DELIVERED, Stage.DOT, 250, "2.0.0 ok"), 0);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new MailOutcomes("m", List.of(bob), List.of(fate, fate)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has two fates");
    }
}
