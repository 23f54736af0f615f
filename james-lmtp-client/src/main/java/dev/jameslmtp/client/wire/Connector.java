package dev.jameslmtp.client.wire;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;

import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

import dev.jameslmtp.client.Destination;

/**
 * Opens the socket for a {@link Destination}: TCP to each address of the host in turn (address
 * records only, never MX), or a UNIX-domain socket through junixsocket, whose sockets, unlike the
 * JDK's UNIX channels, honour read timeouts. Each socket is shown to the {@link ConversationDeadline}
 * armed on the calling thread, if any, before it connects.
 */
public final class Connector {

    private Connector() {
    }

    public static Socket open(Destination destination, Duration timeout) throws IOException {
        int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
        if (destination instanceof Destination.Unix unix) {
            AFUNIXSocket socket = AFUNIXSocket.newInstance();
            ConversationDeadline.watch(socket);
            try {
                socket.connect(AFUNIXSocketAddress.of(unix.path()), millis);
                return socket;
            } catch (IOException e) {
                socket.close();
                throw e;
            }
        }
        Destination.Inet inet = (Destination.Inet) destination;
        InetAddress[] addresses = inet.numeric()
                ? new InetAddress[] {InetAddress.getByName(inet.host())}
                : resolve(inet.host());
        IOException last = null;
        for (InetAddress address : addresses) {
            Socket socket = new Socket();
            ConversationDeadline.watch(socket);
            try {
                socket.setTcpNoDelay(true);
                socket.connect(new InetSocketAddress(address, inet.port()), millis);
                return socket;
            } catch (IOException e) {
                socket.close();
                last = e;
            }
        }
        throw last;
    }

    private static InetAddress[] resolve(String host) throws UnknownHostException {
        try {
            return InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new UnknownHostException("host not found: " + host);
        }
    }
}
