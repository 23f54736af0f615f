package dev.jameslmtp.demo;

import java.util.Optional;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;

import dev.jameslmtp.client.outcome.Fate;

/**
 * Records each recipient of the mail it sees in {@link Outcomes} as delivered: it runs in
 * LmtpDelivery's {@code onSuccess} processor, which gets a copy of each mail for its delivered
 * recipients. Leaves the mail alone.
 */
public class OutcomeRecorder extends GenericMailet {

    private final Outcomes outcomes;

    @Inject
    OutcomeRecorder(Outcomes outcomes) {
        this.outcomes = outcomes;
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        String messageId = mail.getMessage().getMessageID();
        for (MailAddress recipient : mail.getRecipients()) {
            outcomes.record(new Outcomes.Outcome(messageId, recipient.asString(), Fate.DELIVERED, Optional.empty()));
        }
    }

    @Override
    public String getMailetInfo() {
        return "james-lmtp demo: records delivered recipients";
    }
}
