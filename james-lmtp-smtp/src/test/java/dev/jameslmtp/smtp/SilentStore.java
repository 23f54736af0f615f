package dev.jameslmtp.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A store that accepts connections on 127.0.0.1 and never says a word, and notices when the
 * client closes a connection (unlike a stalled {@code FakeLmtpServer}, which stops reading).
 * Every thread it starts ends at {@link #close()}; each read gives up after ten minutes.
 */
final class SilentStore implements AutoCloseable {

    private final ServerSocket listener;
    private final AtomicInteger accepted = new AtomicInteger();
    private final CountDownLatch firstClosedByClient = new CountDownLatch(1);

    private SilentStore(ServerSocket listener) {
        this.listener = listener;
        Thread acceptor = new Thread(this::accept, "silent-store-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static SilentStore start() throws IOException {
        return new SilentStore(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
    }

    int port() {
        return listener.getLocalPort();
    }

    int connections() {
        return accepted.get();
    }

    /** True once the client has closed a connection, within {@code timeout}. */
    boolean awaitClosedByClient(Duration timeout) throws InterruptedException {
        return firstClosedByClient.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                accepted.incrementAndGet();
                Thread reader = new Thread(() -> readUntilClosed(socket), "silent-store-conn");
                reader.setDaemon(true);
                reader.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void readUntilClosed(Socket socket) {
        try (socket; InputStream in = socket.getInputStream()) {
            socket.setSoTimeout((int) Duration.ofMinutes(10).toMillis());
            while (in.read() >= 0) {
                // the client's bytes are not answered
            }
            firstClosedByClient.countDown();
        } catch (SocketTimeoutException e) {
            // gave up
        } catch (IOException e) {
            if (!listener.isClosed()) {
                firstClosedByClient.countDown();   // reset by the client
            }
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
