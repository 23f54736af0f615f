package dev.jameslmtp.mailet.queue;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.queue.api.MailQueue;

/**
 * Mail taken off the queue whose destination was at its limit, waiting in memory for a free
 * slot: at most {@code capacity} items per destination, so that a stalled store holds a bounded
 * amount of mail and the rest goes back on the queue. An item here is not acknowledged: if James
 * dies, a persistent queue hands it out again. Without it, every mail that found its store busy
 * went back on the queue, which James's memory queue pays with a full copy of the message.
 */
public final class Backlog {

    private final int capacity;
    private final ConcurrentHashMap<String, Waiting> byDestination = new ConcurrentHashMap<>();

    Backlog(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity < 1: " + capacity);
        }
        this.capacity = capacity;
    }

    /** False when {@code destination} already has {@code capacity} items waiting. */
    boolean offer(String destination, MailQueue.MailQueueItem item) {
        Waiting waiting = byDestination.computeIfAbsent(destination, d -> new Waiting());
        if (waiting.count.incrementAndGet() > capacity) {
            waiting.count.decrementAndGet();
            return false;
        }
        waiting.items.add(item);
        return true;
    }

    /** The oldest item waiting for {@code destination}, or null. */
    MailQueue.MailQueueItem poll(String destination) {
        Waiting waiting = byDestination.get(destination);
        if (waiting == null) {
            return null;
        }
        MailQueue.MailQueueItem item = waiting.items.poll();
        if (item != null) {
            waiting.count.decrementAndGet();
        }
        return item;
    }

    boolean isEmpty(String destination) {
        Waiting waiting = byDestination.get(destination);
        return waiting == null || waiting.items.isEmpty();
    }

    /** The destinations with items waiting. */
    List<String> destinations() {
        List<String> destinations = new ArrayList<>();
        byDestination.forEach((destination, waiting) -> {
            if (!waiting.items.isEmpty()) {
                destinations.add(destination);
            }
        });
        return destinations;
    }

    private static final class Waiting {
        final Queue<MailQueue.MailQueueItem> items = new ConcurrentLinkedQueue<>();
        final AtomicInteger count = new AtomicInteger();
    }
}
