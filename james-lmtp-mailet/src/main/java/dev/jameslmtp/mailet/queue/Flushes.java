package dev.jameslmtp.mailet.queue;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import javax.inject.Inject;
import javax.inject.Singleton;

import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.ManageableMailQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queues of this James's LmtpDelivery mailets, by name, for {@link LmtpQueuesRoutes}: flushing
 * one delivers its waiting mail now, whether it waits on James's queue with a delay or on the
 * mailet's {@link WaitQueues}. One per James (a Guice singleton in its root injector, as
 * {@code StoreHealth}); a mailet built without Guice keeps one of its own. Thread-safe.
 */
@Singleton
public final class Flushes {

    private static final Logger LOGGER = LoggerFactory.getLogger(Flushes.class);

    private final Map<String, MailQueue> queues = new ConcurrentHashMap<>();

    @Inject
    public Flushes() {
    }

    public void register(MailQueue queue) {
        queues.put(queue.getName().asString(), Objects.requireNonNull(queue, "queue"));
    }

    public void unregister(MailQueue queue) {
        queues.remove(queue.getName().asString(), queue);
    }

    /**
     * Makes the mail waiting for the LmtpDelivery of queue {@code name} due now: James's delayed
     * items of the queue (when James can flush it) and the wait queues' mail, on this node.
     *
     * @return false when no LmtpDelivery of this James consumes {@code name}
     */
    public boolean flush(String name) {
        MailQueue queue = queues.get(name);
        if (queue == null) {
            return false;
        }
        if (queue instanceof WaitQueues waitQueues) {
            waitQueues.flush();
        }
        MailQueue work = queue instanceof WaitQueues waitQueues ? waitQueues.work() : queue;
        if (work instanceof ManageableMailQueue manageable) {
            try {
                manageable.flush();
            } catch (RuntimeException | MailQueue.MailQueueException e) {
                LOGGER.warn("James could not flush the delayed mail of queue {}", name, e);
            }
        }
        LOGGER.info("Queue {} flushed: its waiting mail is due now", name);
        return true;
    }
}
