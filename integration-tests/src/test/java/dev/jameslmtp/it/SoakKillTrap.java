package dev.jameslmtp.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A relay on 127.0.0.1 between the soak's James nodes and the store, byte for byte, that can catch
 * one node in the middle of an attempt. Every node delivers through it (the nodes' configurations
 * must name the same destination: a mail keeps the destination it was routed to when a node
 * accepted it, and may be delivered by another node); it tells the nodes apart by the name each
 * sends in {@code LHLO}. Once {@link #arm armed} for a node, it lets through the first {@code 250}
 * reply after the data of one of that node's transactions that has more replies to come (more
 * recipients were accepted at {@code RCPT} than have been answered), holds back everything the
 * store sends after it on that connection, and completes the future {@link #arm} returned with
 * what it did. The node has then read one recipient's {@code 250} (and written it in its journal)
 * and waits for the others' replies, its mail not acknowledged: a kill now is a kill mid-attempt.
 * A held connection stays open, even when the store's end closes (Dovecot killed meanwhile),
 * until the node's end closes, so that the node cannot finish that attempt. It springs once per
 * {@link #arm}.
 *
 * <p>It follows the transaction from both directions: {@code LHLO}, {@code MAIL FROM} and the
 * {@code RCPT TO} commands sent (parsed before they are passed on, so counted before the store
 * can answer them), the store's {@code 250 2.1.0} to {@code MAIL} (Dovecot's), one final reply
 * line per {@code RCPT} sent, then the replies after the data ({@code 354} skipped). Known limit:
 * a message sent in more than one {@code BDAT} chunk would count the reply to a chunk as a reply
 * after the data (the soak's mails fit in one). When the store is down a node's connection is
 * accepted and closed at once.
 */
final class SoakKillTrap implements AutoCloseable {

    private static final int LINE_LIMIT = 512;

    /** What the trap did: to the node {@code lhloName}, in the transaction of {@code sender}, let {@code reply} through and held {@code held} replies. */
    record Caught(String lhloName, String sender, String reply, int held) {
        /** The recipient the reply let through names ({@code <alice@example.test>}), or "". */
        String recipient() {
            int open = reply.indexOf('<');
            int close = reply.indexOf('>', open + 1);
            return open >= 0 && close > open ? reply.substring(open + 1, close) : "";
        }

        @Override
        public String toString() {
            return "mail " + sender + ": '" + reply + "' let through to " + lhloName + ", " + held + " reply(ies) held";
        }
    }

    private final int storePort;
    private final ServerSocket listener;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private CompletableFuture<Caught> sprung = new CompletableFuture<>();
    private String armedFor;

    private SoakKillTrap(int storePort, ServerSocket listener) {
        this.storePort = storePort;
        this.listener = listener;
    }

    /** Listens on a port the kernel picks; every connection is joined to one to {@code storePort}. */
    static SoakKillTrap open(int storePort) {
        try {
            SoakKillTrap trap = new SoakKillTrap(storePort, new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")));
            Thread acceptor = new Thread(trap::acceptLoop, "soak-trap-" + trap.port());
            acceptor.setDaemon(true);
            acceptor.start();
            return trap;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return listener.getLocalPort();
    }

    /** The nodes' LMTP destination: this relay. */
    String destination() {
        return "inet:127.0.0.1:" + port();
    }

    /**
     * Springs at the next chance on a connection of the node whose LHLO name is {@code lhloName};
     * the future is completed then with the mail, the reply let through and how many are held.
     */
    synchronized CompletableFuture<Caught> arm(String lhloName) {
        armedFor = lhloName;
        sprung = new CompletableFuture<>();
        return sprung;
    }

    /** Springs no more (the wait for a chance is over). */
    synchronized void disarm() {
        armedFor = null;
    }

    private synchronized boolean spring(Caught what) {
        if (armedFor == null || !armedFor.equalsIgnoreCase(what.lhloName())) {
            return false;
        }
        armedFor = null;
        sprung.complete(what);
        return true;
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket node;
            try {
                node = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            sockets.add(node);
            try {
                Socket store = new Socket(InetAddress.getByName("127.0.0.1"), storePort);
                sockets.add(store);
                Transaction transaction = new Transaction();
                start(() -> commands(node, store, transaction), "soak-trap-commands");
                start(() -> replies(store, node, transaction), "soak-trap-replies");
            } catch (IOException e) {
                closeQuietly(node); // the store is down
                sockets.remove(node);
            }
        }
    }

    /** Node to store: passes every byte on, after noting {@code MAIL FROM} and {@code RCPT TO}. */
    private void commands(Socket node, Socket store, Transaction transaction) {
        StringBuilder line = new StringBuilder();
        byte[] buffer = new byte[8192];
        try (InputStream in = node.getInputStream(); OutputStream out = store.getOutputStream()) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                for (int i = 0; i < n; i++) {
                    if (endOfLine(line, buffer[i])) {
                        transaction.command(line.toString());
                        line.setLength(0);
                    }
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // one end closed
        } finally {
            closeQuietly(node);
            closeQuietly(store);
            sockets.remove(node);
            sockets.remove(store);
        }
    }

    /** Store to node: passes replies on until the trap springs on one; then holds the rest until the node's end closes. */
    private void replies(Socket store, Socket node, Transaction transaction) {
        StringBuilder line = new StringBuilder();
        byte[] buffer = new byte[8192];
        boolean holding = false;
        try (InputStream in = store.getInputStream()) {
            OutputStream out = node.getOutputStream(); // not closed here: closing it would close the node's end while held
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                for (int i = 0; i < n && !holding; i++) {
                    if (endOfLine(line, buffer[i])) {
                        Caught caught = transaction.reply(line.toString());
                        line.setLength(0);
                        if (caught != null && spring(caught)) {
                            out.write(buffer, 0, i + 1);
                            out.flush();
                            holding = true;
                        }
                    }
                }
                if (!holding) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            }
        } catch (IOException e) {
            // one end closed
        } finally {
            closeQuietly(store);
            if (!holding) {
                closeQuietly(node);
            } // else the node's end stays open until the node goes; commands() then closes it
        }
    }

    /** Appends {@code b} to {@code line} (bounded, CR dropped); true at the end of the line. */
    private static boolean endOfLine(StringBuilder line, byte b) {
        if (b == '\n') {
            return true;
        }
        if (b != '\r' && line.length() < LINE_LIMIT) {
            line.append((char) (b & 0xff));
        }
        return false;
    }

    /** What the trap knows of the transaction on one connection. */
    private static final class Transaction {
        private String lhloName = "";
        private String sender = "?";
        private int rcptsSent;
        private boolean open;
        private int rcptReplies;
        private int accepted;
        private int answered;

        synchronized void command(String line) {
            String upper = line.toUpperCase(Locale.ROOT);
            if (upper.startsWith("LHLO ")) {
                lhloName = line.substring("LHLO ".length()).strip();
            } else if (upper.startsWith("MAIL FROM:")) {
                sender = line.substring("MAIL FROM:".length()).strip();
                rcptsSent = 0;
            } else if (upper.startsWith("RCPT TO:")) {
                rcptsSent++;
            }
        }

        /** Follows one reply line; what the trap let through when this is a {@code 250} with more replies to come, else null. */
        synchronized Caught reply(String line) {
            if (line.length() < 4 || line.charAt(3) != ' ') {
                return null; // a continuation line, or no reply
            }
            if (line.startsWith("250 2.1.0")) {
                open = true;
                rcptReplies = 0;
                accepted = 0;
                answered = 0;
                return null;
            }
            if (!open || line.startsWith("354")) {
                return null;
            }
            if (rcptReplies < rcptsSent) {
                rcptReplies++;
                accepted += line.charAt(0) == '2' ? 1 : 0;
                return null;
            }
            answered++;
            open = answered < accepted;
            return open && line.startsWith("250 ") ? new Caught(lhloName, sender, line, accepted - answered) : null;
        }
    }

    private static void start(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() {
        closeQuietly(listener);
        sockets.forEach(SoakKillTrap::closeQuietly);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // closing anyway
        }
    }
}
