package dev.jameslmtp.client.outcome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.Envelope;
import dev.jameslmtp.client.Recipient;
import dev.jameslmtp.client.session.Stage;
import dev.jameslmtp.client.wire.EnhancedStatus;
import dev.jameslmtp.client.wire.Reply;

class DeliveryResultTest {

    private static final Verdict DELIVERED = Trouble.ofReply(Stage.DOT, Reply.of(250, "2.0.0 Saved"));
    private static final Verdict FULL = Trouble.ofReply(Stage.DOT, Reply.of(452, "4.2.2 Mailbox full"));
    private static final Verdict UNKNOWN = Trouble.ofReply(Stage.RCPT, Reply.of(550, "5.1.1 User unknown"));

    @Test
    void aResultShouldHoldOneVerdictAndOneDestinationPerRecipient() {
        assertThatThrownBy(() -> new DeliveryResult(List.of("a@b.test", "c@b.test"), List.of("d", "d"), List.of(DELIVERED)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("1 verdicts and 2 destinations for 2 recipients");
        assertThatThrownBy(() -> new DeliveryResult(List.of("a@b.test"), List.of(), List.of(DELIVERED)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void anExchangesResultShouldGiveEveryRecipientOfTheEnvelopeItsDestination() {
        Envelope envelope = new Envelope("s@a.test", List.of(Recipient.of("a@b.test"), Recipient.of("c@b.test"), Recipient.of("a@b.test")),
                Optional.empty(), Optional.empty());

        DeliveryResult result = new DeliveryResult("unix:/run/lmtp", envelope, List.of(DELIVERED, UNKNOWN, FULL));

        assertThat(result.recipients()).containsExactly("a@b.test", "c@b.test", "a@b.test");
        assertThat(result.distinctDestinations()).containsExactly("unix:/run/lmtp");
        assertThat(result.positions(Fate.DELIVERED)).containsExactly(0);
        assertThat(result.addresses(Fate.BOUNCED)).containsExactly("c@b.test");
        assertThat(result.addresses(Fate.DEFERRED)).as("a recipient listed twice has two verdicts").containsExactly("a@b.test");
        assertThat(result.allDelivered()).isFalse();
    }

    @Test
    void aDeferralGivenUpShouldBounceKeepingItsTemporaryReplyAndStatus() {
        Verdict givenUp = Trouble.givenUp(FULL);

        assertThat(givenUp.fate()).isEqualTo(Fate.BOUNCED);
        assertThat(givenUp.permanent()).isFalse();
        assertThat(givenUp.status()).isEqualTo(new EnhancedStatus(4, 2, 2));
        assertThat(givenUp.serverReply().map(Reply::code)).contains(452);
        assertThat(Trouble.givenUp(UNKNOWN)).isSameAs(UNKNOWN);
        assertThat(Trouble.givenUp(DELIVERED)).isSameAs(DELIVERED);
        assertThat(UNKNOWN.permanent()).isTrue();
    }

    @Test
    void aVerdictShouldStillRefuseAFateOfAnotherClassThanItsStatus() {
        assertThatThrownBy(() -> new Verdict(Fate.DEFERRED, Stage.DOT, Optional.empty(), new EnhancedStatus(5, 1, 1), "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Verdict(Fate.DELIVERED, Stage.DOT, Optional.empty(), new EnhancedStatus(4, 2, 2), "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Verdict(Fate.BOUNCED, Stage.DOT, Optional.empty(), new EnhancedStatus(2, 0, 0), "x"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aReplyOfAnotherClassThanTheStatusShouldNotBeTheServersReply() {
        Verdict madeTemporary = Trouble.asTemporary(UNKNOWN);

        assertThat(madeTemporary.reply().map(Reply::code)).contains(550);
        assertThat(madeTemporary.serverReply()).isEmpty();
    }
}
