package dev.jameslmtp.demo;

import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.transport.matchers.HostIs;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;

/**
 * James's {@code HostIs=<domains>} that also counts the mails it is asked about, in the
 * Guice-bound {@link Count}: the completion signal of the benchmark's James + {@code Null}
 * configuration, where nothing reaches a sink. A mail is counted when the spooler reaches the
 * store's mailet with it, that is once James has received, spooled and dequeued it.
 */
public class CountingHostIs extends GenericMatcher {

    /** Mails seen so far, shared by every instance in one James. */
    public static final class Count {
        private final AtomicLong mails = new AtomicLong();

        public long mails() {
            return mails.get();
        }
    }

    private final Count count;
    private final HostIs hostIs = new HostIs();

    @Inject
    CountingHostIs(Count count) {
        this.count = count;
    }

    @Override
    public void init() throws MessagingException {
        hostIs.init(getMatcherConfig());
    }

    @Override
    public Collection<MailAddress> match(Mail mail) throws MessagingException {
        count.mails.incrementAndGet();
        return hostIs.match(mail);
    }

    @Override
    public String getMatcherInfo() {
        return "james-lmtp benchmark: HostIs, counting the mails";
    }
}
