package dev.jameslmtp.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import javax.net.ssl.SSLContext;

/**
 * A scriptable fake LMTP server on 127.0.0.1 (ephemeral port) or on a UNIX-domain socket, for
 * checking a client's exact bytes and for injecting faults.
 *
 * <p>Each accepted connection gets its own daemon thread and a number (0, 1, 2... in accept
 * order). The server answers each command with what its {@link LmtpHandler} returns and records,
 * per connection, every byte received, the command lines and the DATA bodies. It counts an RCPT as
 * accepted when its reply starts with '2', and passes the accepted ones to
 * {@link LmtpHandler#data} and {@link LmtpHandler#afterDot}. After a reply starting with '3' to
 * DATA it reads the body up to the CRLF "." CRLF line, then sends the after-dot replies in order.
 * {@code BDAT n [LAST]} (RFC 3030; advertise CHUNKING with {@link LmtpHandler#CHUNKING_CAPABILITIES})
 * reads exactly n octets and answers with {@link LmtpHandler#bdat}, or after LAST with
 * {@link LmtpHandler#afterLastChunk}; {@link LmtpHandler#midChunk} drops or stalls inside a chunk.
 *
 * <p>{@link #close()} closes the listener and every connection (ending any stall or delay) and
 * waits, bounded, for the threads. STARTTLS goes to {@link LmtpHandler#starttls}; a server
 * started with {@link #start(LmtpHandler, SSLContext)} then performs the TLS handshake, and
 * records the decrypted bytes from there on. Known limits: bytes a client sends after a drop or
 * during a stall may not be recorded, because nobody reads them; BDAT is read whether or not
 * CHUNKING was advertised.
 */
public final class FakeLmtpServer implements AutoCloseable {

    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(5);

    private final ServerSocketChannel listener;
    private final LmtpHandler handler;
    private final Optional<Path> socketPath;
    private final Optional<SSLContext> tls;
    private final boolean implicitTls;
    private final boolean needClientAuth;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final List<FakeLmtpConnection> connections = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    private FakeLmtpServer(ServerSocketChannel listener, LmtpHandler handler, Optional<Path> socketPath, Optional<SSLContext> tls,
                           boolean implicitTls, boolean needClientAuth) {
        this.listener = listener;
        this.handler = handler;
        this.socketPath = socketPath;
        this.tls = tls;
        this.implicitTls = implicitTls;
        this.needClientAuth = needClientAuth;
        this.acceptor = new Thread(this::acceptLoop, "fake-lmtp-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Listens on 127.0.0.1, on an ephemeral port. */
    public static FakeLmtpServer start(LmtpHandler handler) {
        return start(handler, Optional.empty(), false, false);
    }

    /** Listens on 127.0.0.1 and performs STARTTLS with {@code tls} when the handler answers it with 220. */
    public static FakeLmtpServer start(LmtpHandler handler, SSLContext tls) {
        return start(handler, Optional.of(tls), false, false);
    }

    /**
     * As {@link #start(LmtpHandler, SSLContext)}, and the handshake requires a client certificate
     * that {@code tls}'s trust managers accept ({@code setNeedClientAuth(true)}); a client without
     * one fails the handshake. See {@link #clientCertificate(int)}.
     */
    public static FakeLmtpServer startRequiringClientCertificate(LmtpHandler handler, SSLContext tls) {
        return start(handler, Optional.of(tls), false, true);
    }

    /** Listens on 127.0.0.1 and speaks TLS from the first byte (implicit TLS, Postfix's wrapper mode). */
    public static FakeLmtpServer startImplicitTls(LmtpHandler handler, SSLContext tls) {
        return start(handler, Optional.of(tls), true, false);
    }

    private static FakeLmtpServer start(LmtpHandler handler, Optional<SSLContext> tls, boolean implicitTls, boolean needClientAuth) {
        try {
            ServerSocketChannel listener = ServerSocketChannel.open();
            listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            return new FakeLmtpServer(listener, handler, Optional.empty(), tls, implicitTls, needClientAuth);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1", e);
        }
    }

    /** Listens on a UNIX-domain socket at {@code socketFile}, replacing any stale file there. */
    public static FakeLmtpServer startUnix(Path socketFile, LmtpHandler handler) {
        Path path = socketFile.toAbsolutePath();
        try {
            Files.createDirectories(path.getParent());
            Files.deleteIfExists(path);
            ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            listener.bind(UnixDomainSocketAddress.of(path));
            return new FakeLmtpServer(listener, handler, Optional.of(path), Optional.empty(), false, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on UNIX socket " + path, e);
        }
    }

    private void acceptLoop() {
        while (closed.getCount() > 0) {
            SocketChannel channel;
            try {
                channel = listener.accept();
            } catch (IOException e) {
                return; // listener closed
            }
            FakeLmtpConnection connection = new FakeLmtpConnection(channel, handler, closed, tls, implicitTls, needClientAuth);
            connections.add(connection);
            Thread thread = new Thread(connection, "fake-lmtp-conn-" + (connections.size() - 1));
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
            if (closed.getCount() == 0) {
                connection.close(); // accepted while closing
            }
        }
    }

    /** The TCP port; throws for a UNIX-socket server. */
    public int port() {
        if (socketPath.isPresent()) {
            throw new IllegalStateException("this server listens on a UNIX socket: " + socketPath.get());
        }
        try {
            return ((InetSocketAddress) listener.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The absolute UNIX socket path; throws for a TCP server. */
    public Path socketPath() {
        return socketPath.orElseThrow(() -> new IllegalStateException("this server listens on TCP port " + port()));
    }

    /** Connections accepted so far. */
    public int connectionCount() {
        return connections.size();
    }

    /** The TLS protocol negotiated on that connection ("TLSv1.3"), empty while it is in clear. */
    /** The subject of the client certificate of that connection's TLS session, if the client presented one. */
    public Optional<String> clientCertificate(int connection) {
        return connection(connection).clientCertificate();
    }

    public Optional<String> tlsProtocol(int connection) {
        return connection(connection).tlsProtocol();
    }

    /** Every byte received on that connection so far, exactly (decrypted after STARTTLS). */
    public byte[] received(int connection) {
        return connection(connection).received();
    }

    /** {@link #received} decoded as ISO-8859-1 (one char per byte). */
    public String receivedText(int connection) {
        return new String(received(connection), StandardCharsets.ISO_8859_1);
    }

    /** The command lines, without CRLF, in order; DATA bodies excluded, AUTH continuation lines included. */
    public List<String> commands(int connection) {
        return connection(connection).commands();
    }

    /**
     * The body of each completed DATA, exactly as on the wire after the 354: still dot-stuffed,
     * including the CRLF that ends the last line, excluding the terminating ".CRLF" line; and of
     * each BDAT transaction that ended with LAST and an accepted RCPT: its chunks put together.
     */
    public List<byte[]> bodies(int connection) {
        return connection(connection).bodies();
    }

    /** The octets of every BDAT chunk read on that connection, in order (all transactions). */
    public List<byte[]> chunks(int connection) {
        return connection(connection).chunks();
    }

    /** Waits, at most {@code timeout}, until that connection's conversation is over; true if it is. */
    public boolean awaitClosed(int connection, Duration timeout) throws InterruptedException {
        return connection(connection).awaitFinished(timeout);
    }

    /** Removes dot-stuffing: a '.' at the start of a line (after CRLF, or at the start) is dropped. */
    public static byte[] unstuff(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length);
        for (int i = 0; i < body.length; i++) {
            boolean lineStart = i == 0 || (i >= 2 && body[i - 2] == '\r' && body[i - 1] == '\n');
            if (!(lineStart && body[i] == '.')) {
                out.write(body[i]);
            }
        }
        return out.toByteArray();
    }

    private FakeLmtpConnection connection(int number) {
        if (number < 0 || number >= connections.size()) {
            throw new IllegalArgumentException("no connection " + number + "; connections so far: " + connections.size());
        }
        return connections.get(number);
    }

    @Override
    public void close() {
        closed.countDown();
        try {
            listener.close();
        } catch (IOException e) {
            // closing anyway
        }
        connections.forEach(FakeLmtpConnection::close);
        try {
            long deadline = System.nanoTime() + JOIN_TIMEOUT.toNanos();
            acceptor.join(JOIN_TIMEOUT.toMillis());
            for (Thread thread : threads) {
                thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        socketPath.ifPresent(path -> {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                // a stale socket file is harmless: startUnix replaces it
            }
        });
    }
}
