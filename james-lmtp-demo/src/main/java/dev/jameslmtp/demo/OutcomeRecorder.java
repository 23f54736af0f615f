package dev.jameslmtp.demo;

import java.util.Optional;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;

/**
 * Records each recipient of the mail it sees in {@link Outcomes}, as {@code outcome}
 * ({@code delivered} or {@code bounced}; for bounced mail with the {@code delivery-error-code}
 * and {@code delivery-error} attributes that LmtpDelivery sets, as James's Bouncer does). Leaves
 * the mail alone: the processor goes on (DSNBounce for the bounces).
 */
public class OutcomeRecorder extends GenericMailet {

    private static final AttributeName DELIVERY_ERROR = AttributeName.of("delivery-error");
    private static final AttributeName DELIVERY_ERROR_CODE = AttributeName.of("delivery-error-code");

    private final Outcomes outcomes;
    private Outcomes.Kind kind;

    @Inject
    OutcomeRecorder(Outcomes outcomes) {
        this.outcomes = outcomes;
    }

    @Override
    public void init() throws MessagingException {
        String outcome = getInitParameter("outcome", "");
        switch (outcome) {
            case "delivered" -> kind = Outcomes.Kind.DELIVERED;
            case "bounced" -> kind = Outcomes.Kind.BOUNCED;
            default -> throw new MessagingException("OutcomeRecorder: outcome must be delivered or bounced, not '" + outcome + "'");
        }
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        String messageId = mail.getMessage().getMessageID();
        Optional<Integer> code = mail.getAttribute(DELIVERY_ERROR_CODE)
                .map(Attribute::getValue).map(value -> value.value())
                .filter(Integer.class::isInstance).map(Integer.class::cast);
        Optional<String> error = mail.getAttribute(DELIVERY_ERROR)
                .map(Attribute::getValue).map(value -> String.valueOf(value.value()));
        for (MailAddress recipient : mail.getRecipients()) {
            outcomes.record(new Outcomes.Outcome(messageId, recipient.asString(), kind, code, error));
        }
    }

    @Override
    public String getMailetInfo() {
        return "james-lmtp demo: records delivered and bounced recipients";
    }
}
