package dev.jameslmtp.mailet;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import org.apache.james.core.MailAddress;

import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.outcome.Verdict;
import dev.jameslmtp.client.wire.Reply;

/**
 * The fate of the recipient at {@code index} of a mail after one attempt, and why.
 *
 * @param destination where it was (or would have been) delivered, canonical form
 * @param verdict     the effective verdict (after soft bounce), with the server's reply when there was one
 * @param retries     the recipient's retry count after this attempt (for DEFERRED: the retry now scheduled)
 * @param retryDelay  for DEFERRED, the delay before that retry
 */
record RecipientFate(int index, MailAddress recipient, Fate fate, String destination, Verdict verdict, int retries,
                     Optional<Duration> retryDelay) {

    RecipientFate {
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(fate, "fate");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(retryDelay, "retryDelay");
        if ((fate == Fate.DELIVERED) != (verdict.fate() == Fate.DELIVERED)) {
            throw new IllegalArgumentException(fate + " does not agree with " + verdict);
        }
        if ((fate == Fate.DEFERRED) != retryDelay.isPresent()) {
            throw new IllegalArgumentException("a retry delay goes with DEFERRED, and only with it");
        }
    }

    /**
     * The server's reply that decided this recipient, when there is one. A reply that did not make
     * sense where it came (a 250 to DATA: the client's protocol error, 4.5.0) did not decide
     * anything, so it is not reported as the recipient's reply code.
     */
    Optional<Reply> serverReply() {
        return verdict.reply().filter(reply -> reply.code() / 100 == verdict.status().statusClass());
    }

    /** The server's reply code, when a server reply decided this recipient. */
    Optional<Integer> code() {
        return serverReply().map(Reply::code);
    }

    boolean permanent() {
        return verdict.fate() == Fate.BOUNCED;
    }

    /**
     * James's {@code delivery-error} text: {@code "550 5.1.1 User doesn't exist: bob"} for a server
     * reply (DSNBounce then writes {@code Diagnostic-Code: smtp; 550 5.1.1 ...}), or
     * {@code "4.4.1 connect to inet:[127.0.0.1]:24: Connection refused"} for a local verdict.
     */
    String deliveryError() {
        return code().map(c -> c + " ").orElse("") + verdict.status()
                + (verdict.text().isEmpty() ? "" : " " + verdict.text());
    }

    /** For the attempt's log line: {@code "bob@example.com 550 5.1.1"}. */
    String summary() {
        return recipient.asString() + " " + code().map(c -> c + " ").orElse("") + verdict.status();
    }
}
