package dev.jameslmtp.mailet;

import javax.mail.MessagingException;

import org.apache.james.core.MaybeSender;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;

/** The mail the mailet tests hand to LmtpDelivery: named {@code m1}, subject "hello", a body with a line starting with a dot. */
public final class TestMails {

    private TestMails() {
    }

    /** {@code sender} null is the null sender. */
    public static FakeMail mail(String sender, String... recipients) throws MessagingException {
        return FakeMail.builder()
                .name("m1")
                .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("hello").setText("Hello, world.\r\n.dot line\r\n"))
                .sender(sender == null ? MaybeSender.nullSender() : MaybeSender.getMailSender(sender))
                .recipients(recipients)
                .state(Mail.DEFAULT)
                .build();
    }
}
