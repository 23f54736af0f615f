package dev.jameslmtp.it;

import java.util.ArrayList;
import java.util.List;

import javax.inject.Inject;

import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.utils.GuiceProbe;

/** The number of mails waiting (now or later) in a named James mail queue; 0 when it does not exist. */
public final class MailQueueProbe implements GuiceProbe {

    private final MailQueueFactory<? extends ManageableMailQueue> queues;

    @Inject
    MailQueueProbe(MailQueueFactory<? extends ManageableMailQueue> queues) {
        this.queues = queues;
    }

    public long size(String queueName) {
        return queues.getQueue(MailQueueName.of(queueName))
                .map(MailQueueProbe::sizeOf)
                .orElse(0L);
    }

    /** The mails waiting in a named queue, with their recipients, attributes and next delivery time. */
    public List<ManageableMailQueue.MailQueueItemView> browse(String queueName) {
        ManageableMailQueue queue = queues.getQueue(MailQueueName.of(queueName))
                .orElseThrow(() -> new IllegalStateException("no queue " + queueName));
        List<ManageableMailQueue.MailQueueItemView> items = new ArrayList<>();
        try {
            queue.browse().forEachRemaining(items::add);
        } catch (MailQueue.MailQueueException e) {
            throw new IllegalStateException("cannot browse " + queueName, e);
        }
        return items;
    }

    private static long sizeOf(ManageableMailQueue queue) {
        try {
            return queue.getSize();
        } catch (MailQueue.MailQueueException e) {
            throw new IllegalStateException("cannot read the size of " + queue.getName(), e);
        }
    }
}
