package dev.jameslmtp.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import javax.inject.Inject;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.exception.MailboxNotFoundException;
import org.apache.james.mailbox.model.FetchGroup;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.MessageResult;
import org.apache.james.mailbox.model.MessageResultIterator;
import org.apache.james.utils.GuiceProbe;

/**
 * Reads the INBOX of a James user (the in-memory mailbox) as raw message bytes, oldest first.
 * An INBOX that does not exist yet reads as empty.
 */
public final class InboxProbe implements GuiceProbe {

    private final MailboxManager mailboxManager;

    @Inject
    InboxProbe(MailboxManager mailboxManager) {
        this.mailboxManager = mailboxManager;
    }

    public List<byte[]> messages(String user) {
        MailboxSession session = mailboxManager.createSystemSession(Username.of(user));
        try {
            MessageManager inbox = mailboxManager.getMailbox(MailboxPath.inbox(session), session);
            List<byte[]> messages = new ArrayList<>();
            MessageResultIterator results = inbox.getMessages(MessageRange.all(), FetchGroup.FULL_CONTENT, session);
            while (results.hasNext()) {
                MessageResult result = results.next();
                try (InputStream in = result.getFullContent().getInputStream()) {
                    messages.add(in.readAllBytes());
                }
            }
            return messages;
        } catch (MailboxNotFoundException e) {
            return List.of();
        } catch (MailboxException e) {
            throw new IllegalStateException("cannot read the INBOX of " + user, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            mailboxManager.endProcessingRequest(session);
        }
    }
}
