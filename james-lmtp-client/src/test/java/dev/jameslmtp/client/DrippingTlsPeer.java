package dev.jameslmtp.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hostile TLS peer on 127.0.0.1: on its first connection it answers STARTTLS with 220 (or, in
 * wrapper mode, says nothing in clear) and then starts a TLS handshake record that announces 16 KB,
 * sending one byte of it every {@value #DRIP_MILLIS} ms: each read of the client's handshake gets a
 * byte well within any read timeout, so only a deadline on the whole handshake ends it. Later
 * connections get a plain LMTP server without STARTTLS that accepts everything (where a client at
 * level {@code may} falls back to). Every connection's command lines are kept. {@link #close()}
 * closes everything and waits, bounded, for the threads.
 */
final class DrippingTlsPeer implements AutoCloseable {

    static final long DRIP_MILLIS = 1500;
    /** A TLS record header: handshake (22), TLS 1.2, length 16384. */
    private static final byte[] RECORD_HEADER = {0x16, 0x03, 0x03, 0x40, 0x00};

    private final ServerSocket listener;
    private final boolean wrapperMode;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final List<List<String>> commands = new CopyOnWriteArrayList<>();
    private final AtomicInteger dripped = new AtomicInteger();

    DrippingTlsPeer(boolean wrapperMode) throws IOException {
        this.wrapperMode = wrapperMode;
        this.listener = new ServerSocket(0, 10, InetAddress.getByName("127.0.0.1"));
        start(this::accept, "dripping-peer-accept");
    }

    int port() {
        return listener.getLocalPort();
    }

    int connectionCount() {
        return commands.size();
    }

    List<String> commands(int connection) {
        return List.copyOf(commands.get(connection));
    }

    /** How many bytes of the handshake record went out. */
    int dripped() {
        return dripped.get();
    }

    private void start(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    private void accept() {
        while (!listener.isClosed()) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                return;
            }
            sockets.add(socket);
            List<String> lines = new CopyOnWriteArrayList<>();
            int number = commands.size();
            commands.add(lines);
            start(() -> converse(socket, lines, number == 0), "dripping-peer-" + number);
        }
    }

    private void converse(Socket socket, List<String> lines, boolean drip) {
        try (socket) {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            if (drip && wrapperMode) {
                drip(out);
                return;
            }
            say(out, "220 peer.test LMTP");
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.add(line);
                String verb = line.split(" ")[0].toUpperCase();
                switch (verb) {
                    case "LHLO" -> say(out, drip ? "250-peer.test\r\n250-PIPELINING\r\n250 STARTTLS" : "250-peer.test\r\n250 PIPELINING");
                    case "STARTTLS" -> {
                        say(out, "220 2.0.0 Ready to start TLS");
                        drip(out);
                        return;
                    }
                    case "DATA" -> {
                        say(out, "354 go ahead");
                        for (String body = in.readLine(); body != null && !body.equals("."); body = in.readLine()) {
                            // the content is not kept
                        }
                        long recipients = lines.stream().filter(l -> l.startsWith("RCPT")).count();
                        for (long i = 0; i < recipients; i++) {
                            say(out, "250 2.0.0 saved");
                        }
                    }
                    case "QUIT" -> {
                        say(out, "221 bye");
                        return;
                    }
                    default -> say(out, "250 2.0.0 ok");
                }
            }
        } catch (IOException | InterruptedException e) {
            // the client went away, or close()
        }
    }

    private void drip(OutputStream out) throws IOException, InterruptedException {
        for (int i = 0; i < 16 * 1024 + RECORD_HEADER.length && !listener.isClosed(); i++) {
            out.write(i < RECORD_HEADER.length ? RECORD_HEADER[i] : 0);
            out.flush();
            dripped.incrementAndGet();
            Thread.sleep(DRIP_MILLIS);
        }
    }

    private static void say(OutputStream out, String reply) throws IOException {
        out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        listener.close();
        for (Socket socket : sockets) {
            socket.close();
        }
        for (Thread thread : threads) {
            thread.interrupt();
            thread.join(5000);
        }
    }
}
