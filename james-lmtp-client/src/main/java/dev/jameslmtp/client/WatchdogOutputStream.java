package dev.jameslmtp.client;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Bounds every write to the socket. {@link Socket} has no write timeout, so a server that stops
 * reading would block a delivery forever; here each write is armed with the current stage's
 * timeout and the socket is closed when it expires. The blocked write then fails and is
 * reported as a {@link SocketTimeoutException}.
 */
final class WatchdogOutputStream extends FilterOutputStream {

    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private final Socket socket;
    private final Supplier<Duration> timeout;
    private volatile boolean fired;

    WatchdogOutputStream(Socket socket, OutputStream out, Supplier<Duration> timeout) {
        super(out);
        this.socket = socket;
        this.timeout = timeout;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        Duration limit = timeout.get();
        ScheduledFuture<?> alarm = TIMER.schedule(this::fire, limit.toNanos(), TimeUnit.NANOSECONDS);
        try {
            out.write(bytes, offset, length);
        } catch (IOException e) {
            if (fired) {
                SocketTimeoutException timeout = new SocketTimeoutException("write timed out after " + limit.toMillis() + " ms");
                timeout.initCause(e);
                throw timeout;
            }
            throw e;
        } finally {
            alarm.cancel(false);
        }
    }

    private void fire() {
        fired = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing is all we can do
        }
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "lmtp-write-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }
}
