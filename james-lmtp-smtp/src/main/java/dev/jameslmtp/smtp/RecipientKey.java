package dev.jameslmtp.smtp;

import java.util.Locale;
import java.util.Objects;

import org.apache.james.core.MailAddress;

/**
 * The name under which a probe's answer is remembered and a running probe is found: one key per
 * mailbox as the store sees it, so that {@code BoB@Example.COM} and {@code bob@example.com} are
 * one probe and one cache entry, not an easy way around the cache.
 *
 * <ul>
 *   <li>The domain as James normalises it ({@link org.apache.james.core.Domain#asString()}: lower
 *   case, no brackets). James 3.8.1 accepts only ASCII domains at {@code RCPT TO}, so an
 *   internationalised domain arrives as its A-label ({@code xn--...}), which lower case settles.</li>
 *   <li>The local part in lower case (Unicode-independent, {@link Locale#ROOT}), as Dovecot
 *   ({@code auth_username_format = %Lu}) and Cyrus ({@code lmtp_downcase_rcpt}) treat it by
 *   default; as typed when the hook's {@code localPartCaseSensitive} says the store tells case
 *   apart.</li>
 * </ul>
 */
record RecipientKey(String address) {

    RecipientKey {
        Objects.requireNonNull(address, "address");
    }

    static RecipientKey of(MailAddress recipient, boolean localPartCaseSensitive) {
        String localPart = recipient.getLocalPart();
        return new RecipientKey((localPartCaseSensitive ? localPart : localPart.toLowerCase(Locale.ROOT))
                + "@" + recipient.getDomain().asString());
    }

    @Override
    public String toString() {
        return address;
    }
}
