package dev.jameslmtp.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * One accepted connection of a {@link FakeLmtpServer}: reads CRLF-terminated command lines (any
 * number may arrive in one packet), asks the handler for each reply, and records everything.
 * Runs on its own thread; the recordings are read from other threads, hence the locking.
 */
final class FakeLmtpConnection implements Runnable {

    private static final int MAX_LINE = 1 << 20;
    private static final int MAX_CHUNK = 64 << 20;
    private static final Duration MAX_STALL = Duration.ofMinutes(10);
    private final SocketChannel channel;
    private final LmtpHandler handler;
    private final CountDownLatch serverClosed;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Optional<SSLContext> tls;
    private final boolean implicitTls;
    private final boolean needClientAuth;
    private volatile SSLSocket tlsSocket;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final List<String> commands = new ArrayList<>();
    private final List<byte[]> bodies = new ArrayList<>();
    private final List<byte[]> chunks = new ArrayList<>();
    /** The BDAT chunks of the current transaction, put together. */
    private final ByteArrayOutputStream chunked = new ByteArrayOutputStream();
    private int chunkIndex;
    private final List<String> acceptedRcpts = new ArrayList<>();
    private int rcptIndex;
    private InputStream in;
    private OutputStream out;

    FakeLmtpConnection(SocketChannel channel, LmtpHandler handler, CountDownLatch serverClosed, Optional<SSLContext> tls,
                       boolean implicitTls, boolean needClientAuth) {
        this.channel = channel;
        this.needClientAuth = needClientAuth;
        this.tls = tls;
        this.implicitTls = implicitTls;
        this.handler = handler;
        this.serverClosed = serverClosed;
    }

    @Override
    public void run() {
        try (channel) {
            in = new BufferedInputStream(new Recording(Channels.newInputStream(channel)));
            out = Channels.newOutputStream(channel);
            if (implicitTls && !handshake()) {
                return;
            }
            if (!send(handler.greeting())) {
                return;
            }
            String line;
            while ((line = readCommand()) != null && dispatch(line)) {
                // next command
            }
        } catch (IOException | InterruptedException e) {
            // the client went away or the server is closing: the conversation is over
        } finally {
            finished.countDown();
        }
    }

    /** Handles one command line; false ends the conversation. */
    private boolean dispatch(String line) throws IOException, InterruptedException {
        int space = line.indexOf(' ');
        String verb = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
        String args = space < 0 ? "" : line.substring(space + 1);
        switch (verb) {
            case "LHLO":
                resetTransaction();
                return send(tlsSocket == null ? handler.lhlo(args) : handler.lhloAfterTls(args));
            case "STARTTLS":
                return starttls();
            case "MAIL":
                resetTransaction();
                return send(handler.mail(args));
            case "RCPT":
                Response rcpt = handler.rcpt(args, rcptIndex++);
                if (rcpt.isPositive()) {
                    acceptedRcpts.add(args);
                }
                return send(rcpt);
            case "DATA":
                return data();
            case "BDAT":
                return bdat(args);
            case "RSET":
                resetTransaction();
                return send(handler.rset());
            case "NOOP":
                return send(handler.noop());
            case "QUIT":
                send(handler.quit());
                return false;
            case "AUTH":
                return auth(args);
            default:
                return send(handler.unknown(line));
        }
    }

    private boolean data() throws IOException, InterruptedException {
        Response reply = handler.data(acceptedRcpts.size());
        if (!send(reply)) {
            return false;
        }
        if (!reply.isIntermediate()) {
            return true;
        }
        byte[] body = readBody();
        if (body == null) {
            return false;
        }
        synchronized (this) {
            bodies.add(body);
        }
        for (Response dotReply : handler.afterDot(List.copyOf(acceptedRcpts), body.clone())) {
            if (!send(dotReply)) {
                return false;
            }
        }
        resetTransaction();
        return true;
    }

    /**
     * {@code BDAT n [LAST]} (RFC 3030): reads exactly n octets, then answers the chunk, or after
     * LAST each accepted recipient. A malformed command gets 501 and no octets are read.
     */
    private boolean bdat(String args) throws IOException, InterruptedException {
        String[] words = args.strip().split(" +");
        boolean last = words.length == 2 && words[1].equalsIgnoreCase("LAST");
        int size;
        try {
            size = Integer.parseInt(words[0]);
        } catch (NumberFormatException e) {
            size = -1;
        }
        if (size < 0 || size > MAX_CHUNK || words.length > 2 || (words.length == 2 && !last)) {
            return send(Response.reply("501 5.5.4 Syntax: BDAT size [LAST]"));
        }
        int chunk = chunkIndex++;
        Optional<Response> fault = handler.midChunk(chunk, size, last);
        if (fault.isPresent()) {
            in.readNBytes(size / 2);
            return send(fault.get());
        }
        byte[] octets = in.readNBytes(size);
        if (octets.length < size) {
            return false;
        }
        synchronized (this) {
            chunks.add(octets);
        }
        chunked.write(octets);
        if (!last) {
            return send(handler.bdat(chunk, octets.clone(), acceptedRcpts.size()));
        }
        byte[] body = chunked.toByteArray();
        if (!acceptedRcpts.isEmpty()) {
            synchronized (this) {
                bodies.add(body);
            }
        }
        for (Response reply : handler.afterLastChunk(List.copyOf(acceptedRcpts), body.clone())) {
            if (!send(reply)) {
                return false;
            }
        }
        resetTransaction();
        return true;
    }

    private boolean auth(String args) throws IOException, InterruptedException {
        Response reply = handler.auth(args);
        for (int step = 0; reply.isIntermediate(); step++) {
            String line;
            if (!send(reply) || (line = readCommand()) == null) {
                return false;
            }
            reply = handler.authContinuation(line, step);
        }
        return send(reply);
    }

    private boolean starttls() throws IOException, InterruptedException {
        Response reply = handler.starttls();
        if (!send(reply)) {
            return false;
        }
        if (tls.isEmpty() || tlsSocket != null || !startsWith220(reply)) {
            return true;
        }
        resetTransaction();
        return handshake();
    }

    /** The server side of a TLS handshake; false if the client gave it up (an untrusted certificate, say). */
    private boolean handshake() throws IOException {
        SSLSocket socket = (SSLSocket) tls.get().getSocketFactory().createSocket(channel.socket(), null, channel.socket().getPort(), true);
        socket.setUseClientMode(false);
        socket.setNeedClientAuth(needClientAuth);
        socket.setSoTimeout((int) MAX_STALL.toMillis());
        try {
            socket.startHandshake();
        } catch (IOException e) {
            return false;
        }
        tlsSocket = socket;
        in = new BufferedInputStream(new Recording(socket.getInputStream()));
        out = socket.getOutputStream();
        return true;
    }

    private static boolean startsWith220(Response reply) {
        byte[] bytes = reply.bytes();
        return reply.after() == Response.After.CONTINUE && bytes.length >= 3 && bytes[0] == '2' && bytes[1] == '2' && bytes[2] == '0';
    }

    Optional<String> clientCertificate() {
        SSLSocket socket = tlsSocket;
        try {
            return socket == null ? Optional.empty() : Optional.of(socket.getSession().getPeerPrincipal().getName());
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }

    Optional<String> tlsProtocol() {
        SSLSocket socket = tlsSocket;
        return socket == null ? Optional.empty() : Optional.of(socket.getSession().getProtocol());
    }

    private void resetTransaction() {
        acceptedRcpts.clear();
        rcptIndex = 0;
        chunked.reset();
        chunkIndex = 0;
    }

    /** Sends a response; false if the conversation must end (drop, stall, server closed). */
    private boolean send(Response response) throws IOException, InterruptedException {
        if (!response.delay().isZero() && serverClosed.await(response.delay().toMillis(), TimeUnit.MILLISECONDS)) {
            return false;
        }
        byte[] bytes = response.bytes();
        if (!response.drip().isZero()) {
            for (byte b : bytes) {
                out.write(b);
                out.flush();
                if (serverClosed.await(response.drip().toMillis(), TimeUnit.MILLISECONDS)) {
                    return false;
                }
            }
        } else if (bytes.length > 0) {
            out.write(bytes);
            out.flush();
        }
        switch (response.after()) {
            case DROP:
                return false;
            case STALL:
                serverClosed.await(MAX_STALL.toMillis(), TimeUnit.MILLISECONDS);
                return false;
            default:
                return true;
        }
    }

    /** A command line without its CRLF (or bare LF), recorded; null at end of stream. */
    private String readCommand() throws IOException {
        byte[] raw = readLine();
        if (raw == null) {
            return null;
        }
        int end = raw.length - 1;
        if (end > 0 && raw[end - 1] == '\r') {
            end--;
        }
        String line = new String(raw, 0, end, StandardCharsets.ISO_8859_1);
        synchronized (this) {
            commands.add(line);
        }
        return line;
    }

    /** The bytes up to the terminating CRLF "." CRLF line, excluding that ".CRLF"; null at end of stream. */
    private byte[] readBody() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean lineStart = true;
        byte[] chunk;
        while ((chunk = readLine()) != null) {
            if (lineStart && chunk.length == 3 && chunk[0] == '.' && chunk[1] == '\r') {
                return body.toByteArray();
            }
            body.write(chunk);
            lineStart = chunk.length >= 2 && chunk[chunk.length - 2] == '\r';
        }
        return null;
    }

    /** Bytes up to and including the next LF; null if the stream ends first. */
    private byte[] readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            line.write(b);
            if (b == '\n') {
                return line.toByteArray();
            }
            if (line.size() > MAX_LINE) {
                throw new IOException("line longer than " + MAX_LINE + " bytes");
            }
        }
        return null;
    }

    boolean awaitFinished(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    synchronized byte[] received() {
        return received.toByteArray();
    }

    synchronized List<String> commands() {
        return List.copyOf(commands);
    }

    synchronized List<byte[]> bodies() {
        List<byte[]> copy = new ArrayList<>();
        bodies.forEach(body -> copy.add(body.clone()));
        return copy;
    }

    synchronized List<byte[]> chunks() {
        List<byte[]> copy = new ArrayList<>();
        chunks.forEach(chunk -> copy.add(chunk.clone()));
        return copy;
    }

    /** Records every byte as it is read from the socket, before any parsing. */
    private final class Recording extends FilterInputStream {
        Recording(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                synchronized (FakeLmtpConnection.this) {
                    received.write(b);
                }
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                synchronized (FakeLmtpConnection.this) {
                    received.write(buffer, offset, n);
                }
            }
            return n;
        }
    }
}
