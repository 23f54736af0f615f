package dev.jameslmtp.client.wire;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A deadline for a whole conversation, whatever its per-stage timeouts: while it is armed on a
 * thread, every socket that {@link Connector} opens on that thread is closed when the deadline
 * passes, which ends the connect, read, write or TLS handshake in progress with an
 * {@link IOException}. A socket opened after the deadline has passed is closed at once.
 *
 * <p>{@link RecipientProbe} arms one around each probe, so that a store slow enough to use most of
 * each reply timeout (greeting, LHLO, STARTTLS, LHLO, AUTH steps, MAIL, RCPT) still cannot hold a
 * probe beyond its total. {@link #close()} disarms it; the sockets are left to their owner.
 * Not shared between threads: arm, converse and close on the same thread.
 */
public final class ConversationDeadline implements AutoCloseable {

    private static final ThreadLocal<ConversationDeadline> ARMED = new ThreadLocal<>();

    private final List<Socket> sockets = new ArrayList<>();
    private final ScheduledFuture<?> alarm;
    private boolean passed;

    private ConversationDeadline(Duration total, ScheduledExecutorService timer) {
        this.alarm = timer.schedule(this::expire, Math.max(1, total.toNanos()), TimeUnit.NANOSECONDS);
    }

    /**
     * Arms a deadline {@code total} from now on the calling thread; {@code timer} closes the
     * sockets when it passes.
     *
     * @throws IllegalStateException when one is already armed on this thread
     */
    public static ConversationDeadline arm(Duration total, ScheduledExecutorService timer) {
        Objects.requireNonNull(total, "total");
        Objects.requireNonNull(timer, "timer");
        if (ARMED.get() != null) {
            throw new IllegalStateException("a socket deadline is already armed on this thread");
        }
        ConversationDeadline deadline = new ConversationDeadline(total, timer);
        ARMED.set(deadline);
        return deadline;
    }

    /** Called by {@link Connector} with each socket before it connects: watched when a deadline is armed on this thread. */
    static void watch(Socket socket) {
        ConversationDeadline deadline = ARMED.get();
        if (deadline != null) {
            deadline.add(socket);
        }
    }

    /** True once the deadline has passed (and the sockets were closed). */
    public synchronized boolean passed() {
        return passed;
    }

    private synchronized void add(Socket socket) {
        if (passed) {
            closeQuietly(socket);
        } else {
            sockets.add(socket);
        }
    }

    /** Closes the watched sockets now, as if the deadline had passed (also for an owner shutting down). */
    public synchronized void expire() {
        passed = true;
        sockets.forEach(ConversationDeadline::closeQuietly);
        sockets.clear();
    }

    /** Disarms the deadline on this thread; sockets still open stay open. */
    @Override
    public void close() {
        alarm.cancel(false);
        if (ARMED.get() == this) {
            ARMED.remove();
        }
        synchronized (this) {
            sockets.clear();
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing is all we wanted
        }
    }
}
