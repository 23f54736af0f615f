package dev.jameslmtp.mailet;

import java.time.Clock;
import java.util.Collection;
import java.util.List;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.client.DestinationList;
import dev.jameslmtp.client.outcome.Trouble;
import dev.jameslmtp.client.outcome.Verdict;

/**
 * Postfix's {@code notify_classes = protocol}: when an LMTP session ended in a protocol error, the
 * postmaster ({@code MailetContext.getPostmaster()}) gets its transcript from the null sender.
 *
 * <p>A protocol error, as Postfix's {@code smtp_trouble.c} counts it: the client's own verdict
 * {@code 4.5.0} (a reply that made no sense where it came, a malformed reply), or a store reply
 * {@code 500}-{@code 509} or {@code 555} (syntax errors: the two sides disagree about the protocol).
 * The transcript is the redacted one of {@link SessionTranscript}. A failure to send is logged.
 */
final class ProtocolNotices {

    private static final Logger LOGGER = LoggerFactory.getLogger(ProtocolNotices.class);

    private final MailetContext context;
    private final String reportingMta;
    private final Clock clock;

    ProtocolNotices(MailetContext context, String reportingMta, Clock clock) {
        this.context = context;
        this.reportingMta = reportingMta;
        this.clock = clock;
    }

    /** Sends the notice when one of {@code verdicts} is a protocol error and there is a transcript. */
    void sendIfProtocolError(String mailName, DestinationList destination, Collection<Verdict> verdicts, List<String> transcript) {
        List<Verdict> errors = verdicts.stream().filter(Trouble::isProtocolError).distinct().toList();
        if (errors.isEmpty() || transcript.isEmpty()) {
            return;
        }
        MailAddress postmaster = context.getPostmaster();
        if (postmaster == null) {
            LOGGER.warn("Protocol error with {} for mail {}, but James has no postmaster to notify", destination, mailName);
            return;
        }
        try {
            context.sendMail(null, List.of(postmaster), message(postmaster, mailName, destination, errors, transcript));
            LOGGER.info("Protocol error with {} for mail {}: transcript sent to the postmaster {}", destination, mailName, postmaster.asString());
        } catch (MessagingException | RuntimeException e) {
            LOGGER.error("Could not send the protocol error transcript of mail {} with {} to the postmaster", mailName, destination, e);
        }
    }

    private MimeMessage message(MailAddress postmaster, String mailName, DestinationList destination, List<Verdict> errors,
                                List<String> transcript) throws MessagingException {
        StringBuilder text = new StringBuilder();
        text.append("This is the mail system at host ").append(reportingMta).append(".\r\n\r\n")
                .append("The LMTP session with ").append(destination).append(" for mail ").append(mailName)
                .append(" ended in a protocol error:\r\n\r\n");
        errors.forEach(error -> text.append("  ").append(error).append("\r\n"));
        text.append("\r\nTranscript of the session (secrets are shown as ****; message content is left out):\r\n\r\n");
        transcript.forEach(line -> text.append(line).append("\r\n"));
        MimeMessage message = MailerDaemon.message(reportingMta, MailerDaemon.from(context, reportingMta), postmaster,
                "Postmaster Copy: LMTP protocol error with " + destination, "UTF-8", clock.instant(), "auto-generated");
        message.setText(text.toString(), "UTF-8");
        message.saveChanges();
        return message;
    }
}
