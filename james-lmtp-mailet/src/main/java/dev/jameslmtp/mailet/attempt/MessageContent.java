package dev.jameslmtp.mailet.attempt;

import java.io.IOException;
import java.io.OutputStream;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.mailet.Mail;

import dev.jameslmtp.client.Content;

/**
 * The message of a James {@link Mail} as LMTP content: streamed with
 * {@link MimeMessage#writeTo(OutputStream)} each time the client asks (it may ask twice), never
 * held in memory as a whole. A {@link MessagingException} becomes an {@link IOException}, which
 * the client turns into a temporary local failure (4.3.0) for every recipient.
 */
final class MessageContent implements Content {

    private final Mail mail;

    MessageContent(Mail mail) {
        this.mail = mail;
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        MimeMessage message;
        try {
            message = mail.getMessage();
        } catch (MessagingException e) {
            throw new IOException("cannot read the message of mail " + mail.getName() + ": " + e.getMessage(), e);
        }
        if (message == null) {
            throw new IOException("mail " + mail.getName() + " has no message");
        }
        try {
            message.writeTo(out);
        } catch (MessagingException e) {
            throw new IOException("cannot write the message of mail " + mail.getName() + ": " + e.getMessage(), e);
        }
    }
}
