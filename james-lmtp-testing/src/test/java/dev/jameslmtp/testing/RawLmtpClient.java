package dev.jameslmtp.testing;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/** A bare LMTP conversation over TCP or a UNIX socket, every read bounded by SO_TIMEOUT. */
final class RawLmtpClient implements AutoCloseable {

    private final Socket socket;
    private final BufferedReader in;

    private RawLmtpClient(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(10_000);
        this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), ISO_8859_1));
    }

    static RawLmtpClient tcp(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        return new RawLmtpClient(socket);
    }

    static RawLmtpClient unix(Path path) throws IOException {
        AFUNIXSocket socket = AFUNIXSocket.newInstance();
        socket.connect(AFUNIXSocketAddress.of(path));
        return new RawLmtpClient(socket);
    }

    void send(String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(ISO_8859_1));
        socket.getOutputStream().flush();
    }

    /** One reply, its lines joined with "\n" (a multi-line reply ends at "xyz "). */
    String reply() throws IOException {
        List<String> lines = new ArrayList<>();
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                throw new IOException("connection closed after " + lines);
            }
            lines.add(line);
        } while (line.length() > 3 && line.charAt(3) == '-');
        return String.join("\n", lines);
    }

    /** Sends one command and returns its reply. */
    String command(String line) throws IOException {
        send(line + "\r\n");
        return reply();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
