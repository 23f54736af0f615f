package dev.jameslmtp.client;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A relay on 127.0.0.1 in front of an implicit-TLS server that passes every TLS record from the
 * server at once, except application data (content type 23), which it sends one byte every
 * {@value #DRIP_MILLIS} ms. Under TLS 1.2 the handshake goes through and every reply is dripped:
 * each read the client's {@code SSLSocket} makes of the plain socket gets a byte within any read
 * timeout, so only a deadline for the whole reply beneath TLS ends the wait. The client's bytes go
 * to the server as they come. {@link #close()} closes everything and waits, bounded, for the threads.
 */
final class DrippingTlsRelay implements AutoCloseable {

    static final long DRIP_MILLIS = 1500;
    private static final int APPLICATION_DATA = 23;

    private final ServerSocket listener;
    private final int serverPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    DrippingTlsRelay(int serverPort) throws IOException {
        this.serverPort = serverPort;
        this.listener = new ServerSocket(0, 10, InetAddress.getByName("127.0.0.1"));
        start(this::accept, "dripping-relay-accept");
    }

    int port() {
        return listener.getLocalPort();
    }

    private void start(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                sockets.add(client);
                Socket server = new Socket(InetAddress.getByName("127.0.0.1"), serverPort);
                sockets.add(server);
                start(() -> copy(client, server), "dripping-relay-up");
                start(() -> dripApplicationData(server, client), "dripping-relay-down");
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void copy(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
        } catch (IOException e) {
            // one side went away
        }
    }

    private static void dripApplicationData(Socket from, Socket to) {
        try {
            DataInputStream in = new DataInputStream(from.getInputStream());
            OutputStream out = to.getOutputStream();
            byte[] header = new byte[5];
            while (true) {
                in.readFully(header);
                byte[] record = new byte[header.length + (((header[3] & 0xff) << 8) | (header[4] & 0xff))];
                System.arraycopy(header, 0, record, 0, header.length);
                in.readFully(record, header.length, record.length - header.length);
                if (header[0] != APPLICATION_DATA) {
                    out.write(record);
                    out.flush();
                    continue;
                }
                for (byte b : record) {
                    out.write(b);
                    out.flush();
                    Thread.sleep(DRIP_MILLIS);
                }
            }
        } catch (IOException | InterruptedException e) {
            // one side went away, or close()
        }
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
