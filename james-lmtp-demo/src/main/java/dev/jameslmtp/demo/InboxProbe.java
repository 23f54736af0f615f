package dev.jameslmtp.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import javax.inject.Inject;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.exception.MailboxNotFoundException;
import org.apache.james.mailbox.model.FetchGroup;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.MessageResultIterator;
import org.apache.james.utils.GuiceProbe;

/** The raw messages in a James user's INBOX (the in-memory mailbox), oldest first; none if it does not exist. */
public final class InboxProbe implements GuiceProbe {

    private final MailboxManager mailboxManager;

    @Inject
    InboxProbe(MailboxManager mailboxManager) {
        this.mailboxManager = mailboxManager;
    }

    public List<byte[]> messages(String user) {
        MailboxSession session = mailboxManager.createSystemSession(Username.of(user));
        try {
            MessageResultIterator results = mailboxManager.getMailbox(MailboxPath.inbox(session), session)
                    .getMessages(MessageRange.all(), FetchGroup.FULL_CONTENT, session);
            List<byte[]> messages = new ArrayList<>();
            while (results.hasNext()) {
                try (InputStream in = results.next().getFullContent().getInputStream()) {
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
