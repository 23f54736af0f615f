package dev.jameslmtp.mailet.queue;

import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;

import org.apache.james.queue.api.MailQueueFactory;

/**
 * Which LmtpDelivery mailet consumes which James mail queue, process-wide. Two consumers on one
 * queue would each take the other's mail and deliver it with their own settings (in a trial, every
 * mail for store A went into store B), so a second mailet claiming a queue already claimed through
 * the same {@link MailQueueFactory} is refused at {@code init()}; {@code destroy()} releases the
 * claim. Factories are held weakly, so a James that is gone leaves no claim behind.
 */
public final class QueueClaims {

    private static final Map<MailQueueFactory<?>, Map<String, Object>> CLAIMS = new WeakHashMap<>();

    private QueueClaims() {
    }

    /**
     * Claims {@code queue} for {@code owner}.
     *
     * @return the owner that already holds it, or null when the claim succeeded
     */
    public static synchronized Object claim(MailQueueFactory<?> factory, String queue, Object owner) {
        Map<String, Object> claims = CLAIMS.computeIfAbsent(factory, f -> new HashMap<>());
        Object holder = claims.putIfAbsent(queue, owner);
        return holder == null || holder == owner ? null : holder;
    }

    public static synchronized void release(MailQueueFactory<?> factory, String queue, Object owner) {
        Map<String, Object> claims = CLAIMS.get(factory);
        if (claims != null) {
            claims.remove(queue, owner);
        }
    }
}
