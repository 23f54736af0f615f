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
 * slot: at most {@code capacity} items in all, so that stalled stores hold a bounded amount of
 * mail and the queue's prefetch keeps room for the others, and the rest goes back on the queue.
 * An item here is not acknowledged: if James dies, a persistent queue hands it out again; so it
 * waits here at most a while ({@link #expired}), under RabbitMQ's {@code consumer_timeout}.
 * Without it, every mail that found its store busy went back on the queue, which James's memory
 * queue pays with a full copy of the message.
 */
public final class Backlog {

    private final int capacity;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<String, Queue<Waiting>> byDestination = new ConcurrentHashMap<>();

    private record Waiting(MailQueue.MailQueueItem item, long since) {
    }

    Backlog(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity < 1: " + capacity);
        }
        this.capacity = capacity;
    }

    /** False when {@code capacity} items are waiting already; {@code now} in nanoseconds. */
    boolean offer(String destination, MailQueue.MailQueueItem item, long now) {
        if (total.incrementAndGet() > capacity) {
            total.decrementAndGet();
            return false;
        }
        byDestination.computeIfAbsent(destination, d -> new ConcurrentLinkedQueue<>()).add(new Waiting(item, now));
        return true;
    }

    /** The oldest item waiting for {@code destination}, or null. */
    MailQueue.MailQueueItem poll(String destination) {
        Queue<Waiting> waiting = byDestination.get(destination);
        if (waiting == null) {
            return null;
        }
        Waiting head;
        synchronized (waiting) { // one taker at a time: poll or expired
            head = waiting.poll();
        }
        if (head == null) {
            return null;
        }
        total.decrementAndGet();
        return head.item();
    }

    /** Takes out and returns the items that have waited for {@code destination} since before {@code before} (nanoseconds). */
    List<MailQueue.MailQueueItem> expired(String destination, long before) {
        List<MailQueue.MailQueueItem> expired = new ArrayList<>();
        Queue<Waiting> waiting = byDestination.get(destination);
        if (waiting != null) {
            synchronized (waiting) {
                waiting.removeIf(entry -> {
                    if (entry.since() - before < 0) {
                        expired.add(entry.item());
                        total.decrementAndGet();
                        return true;
                    }
                    return false;
                });
            }
        }
        return expired;
    }

    boolean isEmpty(String destination) {
        Queue<Waiting> waiting = byDestination.get(destination);
        return waiting == null || waiting.isEmpty();
    }

    /** The destinations with items waiting. */
    List<String> destinations() {
        List<String> destinations = new ArrayList<>();
        byDestination.forEach((destination, waiting) -> {
            if (!waiting.isEmpty()) {
                destinations.add(destination);
            }
        });
        return destinations;
    }
}
