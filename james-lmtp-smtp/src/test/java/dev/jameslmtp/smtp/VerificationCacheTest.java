package dev.jameslmtp.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.outcome.Verdict;
import dev.jameslmtp.client.session.Stage;
import dev.jameslmtp.client.wire.Reply;
import dev.jameslmtp.testing.MutableClock;

/** Lifetimes per kind of answer and the size bound, with a clock the test moves. */
class VerificationCacheTest {

    private static final Duration POSITIVE = Duration.ofHours(1);
    private static final Duration NEGATIVE = Duration.ofMinutes(5);
    private static final Duration TEMPORARY = Duration.ofSeconds(10);
    private static final Verdict ACCEPTED = verdict(Fate.DELIVERED, "250 2.1.5 Ok");
    private static final Verdict REFUSED = verdict(Fate.BOUNCED, "550 5.1.1 User doesn't exist");
    private static final Verdict DEFERRED = verdict(Fate.DEFERRED, "452 4.2.2 Mailbox full");

    private static final RecipientKey ALICE = new RecipientKey("alice@example.test");
    private static final RecipientKey BOB = new RecipientKey("bob@example.test");
    private static final RecipientKey CAROL = new RecipientKey("carol@example.test");

    private final MutableClock clock = new MutableClock();

    private static Verdict verdict(Fate fate, String reply) {
        Reply parsed = Reply.of(Integer.parseInt(reply.substring(0, 3)), reply.substring(4));
        return new Verdict(fate, Stage.RCPT, Optional.of(parsed), parsed.status(), parsed.text());
    }

    private VerificationCache cache(int maxSize) {
        return new VerificationCache(clock, POSITIVE, NEGATIVE, TEMPORARY, maxSize);
    }

    @Test
    void lookUpShouldFindAnAcceptanceForThePositiveExpireTime() {
        VerificationCache cache = cache(10);

        cache.remember(ALICE, ACCEPTED);
        clock.advance(POSITIVE.minusSeconds(1));                 // t = 59:59, still remembered
        assertThat(cache.lookUp(ALICE)).contains(ACCEPTED);

        clock.advance(Duration.ofSeconds(1));                    // t = 1:00:00, expired
        assertThat(cache.lookUp(ALICE)).isEmpty();
    }

    @Test
    void lookUpShouldFindARefusalForTheNegativeExpireTimeOnly() {
        VerificationCache cache = cache(10);

        cache.remember(BOB, REFUSED);
        clock.advance(NEGATIVE.minusSeconds(1));                 // t = 4:59
        assertThat(cache.lookUp(BOB)).contains(REFUSED);

        clock.advance(Duration.ofSeconds(1));                    // t = 5:00: the user may have been created
        assertThat(cache.lookUp(BOB)).isEmpty();
    }

    @Test
    void lookUpShouldFindTheStoresTemporaryAnswerForTheTemporaryExpireTimeOnly() {
        VerificationCache cache = cache(10);

        cache.remember(CAROL, DEFERRED);
        clock.advance(TEMPORARY.minusSeconds(1));                // t = 9 s
        assertThat(cache.lookUp(CAROL)).contains(DEFERRED);

        clock.advance(Duration.ofSeconds(1));                    // t = 10 s: ask the store again
        assertThat(cache.lookUp(CAROL)).isEmpty();
    }

    @Test
    void rememberShouldReplaceTheEarlierAnswer() {
        VerificationCache cache = cache(10);

        cache.remember(ALICE, DEFERRED);
        cache.remember(ALICE, ACCEPTED);

        assertThat(cache.lookUp(ALICE)).contains(ACCEPTED);
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void rememberShouldForgetTheLeastRecentlyUsedAddressBeyondTheBound() {
        VerificationCache cache = cache(2);

        cache.remember(ALICE, ACCEPTED);
        cache.remember(BOB, ACCEPTED);
        cache.lookUp(ALICE);                                     // alice is now the most recently used
        cache.remember(CAROL, ACCEPTED);                         // pushes bob out

        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.lookUp(ALICE)).contains(ACCEPTED);
        assertThat(cache.lookUp(BOB)).isEmpty();
        assertThat(cache.lookUp(CAROL)).contains(ACCEPTED);
    }

    @Test
    void rememberShouldKeepNothingWhenTheSizeIsZero() {
        VerificationCache cache = cache(0);

        cache.remember(ALICE, ACCEPTED);

        assertThat(cache.lookUp(ALICE)).isEmpty();
        assertThat(cache.size()).isZero();
    }

    @Test
    void rememberShouldKeepNothingOfAKindWhoseLifetimeIsZero() {
        VerificationCache cache = new VerificationCache(clock, POSITIVE, NEGATIVE, Duration.ZERO, 10);

        cache.remember(CAROL, DEFERRED);

        assertThat(cache.lookUp(CAROL)).isEmpty();
    }
}
