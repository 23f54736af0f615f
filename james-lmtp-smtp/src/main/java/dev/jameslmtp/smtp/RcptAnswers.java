package dev.jameslmtp.smtp;

import org.apache.james.core.MailAddress;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;

import dev.jameslmtp.client.outcome.Verdict;

/**
 * The answer to the SMTP client's {@code RCPT TO} for what the store said in a probe:
 * <ul>
 *   <li>accepted: {@link HookResult#DECLINED}, so that the rest of James's RCPT hooks still run
 *   (relay checks, rate limits...) and James's own handler accepts the recipient if none objects;</li>
 *   <li>refused (5xx at RCPT): the store's reply code and enhanced status, e.g.
 *   {@code 550 5.1.1 <bob@example.com>: Recipient address rejected: User doesn't exist: bob@example.com};</li>
 *   <li>anything else (4xx, store unreachable, timeout): {@code 451} (or the store's own 4xx but 421) with
 *   a 4.x.x status and no detail of the store's internals; the client tries again later.</li>
 * </ul>
 * And, without an answer from the store: "verification in progress" ({@code 450 4.1.1}, Postfix's
 * wording), "verification busy" ({@code 451 4.3.0}), and {@code 501 5.1.3} for an address that
 * cannot be written on the wire (Postfix's "Bad recipient address syntax").
 */
final class RcptAnswers {

    static final String TEMPORARY_CODE = "451";
    static final String UNVERIFIED_CODE = "450";
    static final String BAD_SYNTAX_CODE = "501";

    private RcptAnswers() {
    }

    static HookResult of(MailAddress recipient, Verdict verdict) {
        return switch (verdict.fate()) {
            case DELIVERED -> HookResult.DECLINED;
            case BOUNCED -> HookResult.builder()
                    .hookReturnCode(HookReturnCode.deny())
                    .smtpReturnCode(Integer.toString(verdict.reply().map(reply -> reply.code()).orElse(550)))
                    .smtpDescription(verdict.status() + " <" + recipient.asString() + ">: Recipient address rejected: " + verdict.text())
                    .build();
            case DEFERRED -> tryAgainLater(recipient, verdict);
        };
    }

    /** For a problem on James's side (e.g. the domain list failed). */
    static HookResult localError(MailAddress recipient) {
        return HookResult.builder()
                .hookReturnCode(HookReturnCode.denySoft())
                .smtpReturnCode(TEMPORARY_CODE)
                .smtpDescription("4.3.0 <" + recipient.asString() + ">: Recipient address verification failed, try again later")
                .build();
    }

    /** A probe for the address runs and has no answer yet: Postfix's {@code unverified_recipient_defer_code} reply. */
    static HookResult inProgress(MailAddress recipient) {
        return HookResult.builder()
                .hookReturnCode(HookReturnCode.denySoft())
                .smtpReturnCode(UNVERIFIED_CODE)
                .smtpDescription("4.1.1 <" + recipient.asString() + ">: Recipient address rejected: unverified address: "
                        + "address verification in progress")
                .build();
    }

    /** Every probe thread is busy and the probe queue is full: no probe was started. */
    static HookResult busy(MailAddress recipient) {
        return HookResult.builder()
                .hookReturnCode(HookReturnCode.denySoft())
                .smtpReturnCode(TEMPORARY_CODE)
                .smtpDescription("4.3.0 <" + recipient.asString() + ">: Recipient address verification is busy, try again later")
                .build();
    }

    /**
     * An address the probe cannot send (a control character, an angle bracket, longer than 256):
     * not valid RFC 5321 syntax, never deliverable to the store. The reply does not echo it.
     */
    static HookResult badSyntax() {
        return HookResult.builder()
                .hookReturnCode(HookReturnCode.deny())
                .smtpReturnCode(BAD_SYNTAX_CODE)
                .smtpDescription("5.1.3 Bad recipient address syntax")
                .build();
    }

    private static HookResult tryAgainLater(MailAddress recipient, Verdict verdict) {
        // not the store's 421: to the SMTP client it would mean that James closes the session
        String code = verdict.reply().filter(reply -> reply.code() / 100 == 4 && reply.code() != 421)
                .map(reply -> Integer.toString(reply.code())).orElse(TEMPORARY_CODE);
        return HookResult.builder()
                .hookReturnCode(HookReturnCode.denySoft())
                .smtpReturnCode(code)
                .smtpDescription(verdict.status().asTemporary() + " <" + recipient.asString()
                        + ">: Recipient address verification failed, try again later")
                .build();
    }
}
