package dev.jameslmtp.mailet.report;

import java.io.UnsupportedEncodingException;
import java.time.Instant;
import java.util.Date;
import java.util.Properties;

import javax.mail.Message;
import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.mailet.MailetContext;

/**
 * What the mail system writes in its own name (the sender's DSN, the postmaster's protocol
 * notice): {@code From: Mail Delivery System <postmaster>}, and the header every such message
 * carries. The caller sends it from the null sender ({@code MAIL FROM:<>}).
 */
final class MailerDaemon {

    private MailerDaemon() {
    }

    /** {@code "Mail Delivery System" <postmaster>}, or {@code MAILER-DAEMON@reportingMta} when James has no postmaster. */
    static InternetAddress from(MailetContext context, String reportingMta) {
        MailAddress postmaster = context.getPostmaster();
        String address = postmaster != null ? postmaster.asString() : "MAILER-DAEMON@" + reportingMta;
        try {
            return new InternetAddress(address, "Mail Delivery System", "US-ASCII");
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A message with {@code From}, {@code To}, {@code Subject} (in {@code charset}), {@code Date} and
     * {@code Auto-Submitted} set; the caller adds the content.
     */
    static MimeMessage message(String reportingMta, InternetAddress from, MailAddress to, String subject, String charset,
                               Instant date, String autoSubmitted) throws MessagingException {
        Properties properties = new Properties();
        properties.setProperty("mail.from", "MAILER-DAEMON@" + reportingMta);
        MimeMessage message = new MimeMessage(Session.getInstance(properties));
        message.setFrom(from);
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(to.asString()));
        message.setSubject(subject, charset);
        message.setSentDate(Date.from(date));
        message.setHeader("Auto-Submitted", autoSubmitted);
        return message;
    }
}
