package dev.jameslmtp.it;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.IntUnaryOperator;

import org.apache.commons.net.smtp.SMTPClient;
import org.apache.commons.net.smtp.SMTPReply;

/**
 * Hands the soak's mails to James over SMTP, in order, one transaction each on {@code connections}
 * reused connections, at most {@code rate} mails a second. Connection {@code c} goes to the SMTP
 * port {@code smtpPort} gives for {@code c} (with several James nodes, its own node's, or another
 * node's while that one is down). Each transaction holds the read side of
 * {@link #lock()}; whoever kills James holds its write side: James is killed only between
 * transactions, so that every mail counts as handed over exactly when James said {@code 250} to
 * its DATA (a kill inside an SMTP transaction would open SMTP's own after-the-dot window, which is
 * not what the soak measures). After a restart each connection reconnects to the new James
 * ({@code smtpPort} is asked each time).
 */
final class SoakFeeder implements Runnable {

    private static final int TIMEOUT_MILLIS = 60_000;

    private final List<SoakMail> mails;
    private final double rate;
    private final IntUnaryOperator smtpPort;
    private final int connections;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock(true);
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger handedOver = new AtomicInteger();
    private final AtomicInteger generation = new AtomicInteger();
    private volatile Throwable failure;
    private volatile boolean stopping;
    private long start;

    SoakFeeder(List<SoakMail> mails, double rate, int connections, IntUnaryOperator smtpPort) {
        this.mails = mails;
        this.rate = rate;
        this.connections = connections;
        this.smtpPort = smtpPort;
    }

    /** Read side held during each SMTP transaction; whoever kills James holds the write side, and calls {@link #reconnect()}. */
    ReentrantReadWriteLock lock() {
        return lock;
    }

    /** Each connection opens a new one before its next transaction (a James node was killed or started again). */
    void reconnect() {
        generation.incrementAndGet();
    }

    /** Takes no new mail: the mails handed over so far (a prefix of the list, once {@link #run} ends) are the run's. */
    void stopFeeding() {
        stopping = true;
    }

    int handedOver() {
        return handedOver.get();
    }

    Throwable failure() {
        return failure;
    }

    /** Runs the connections (this thread and {@code connections - 1} more) until every mail is handed over or one fails. */
    @Override
    public void run() {
        start = System.nanoTime();
        List<Thread> others = new ArrayList<>();
        for (int i = 1; i < connections; i++) {
            int connection = i;
            Thread thread = new Thread(() -> connection(connection), "soak-feeder-" + i);
            thread.setDaemon(true);
            thread.start();
            others.add(thread);
        }
        connection(0);
        for (Thread thread : others) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                others.forEach(Thread::interrupt);
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void connection(int index) {
        SMTPClient client = new SMTPClient();
        int connected = -1;
        try {
            for (int n = next.getAndIncrement(); n < mails.size() && failure == null && !stopping; n = next.getAndIncrement()) {
                long wait = start + (long) (n / rate * 1e9) - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                lock.readLock().lockInterruptibly();
                try {
                    if (connected != generation.get()) {
                        connected = generation.get();
                        disconnect(client);
                        client.setDefaultTimeout(TIMEOUT_MILLIS);
                        client.connect("127.0.0.1", smtpPort.applyAsInt(index));
                        client.setSoTimeout(TIMEOUT_MILLIS);
                        expect(client, client.login("soak.test"), "HELO");
                    }
                    send(client, mails.get(n));
                    handedOver.incrementAndGet();
                } finally {
                    lock.readLock().unlock();
                }
            }
            logout(client);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            failure = e;
        } finally {
            disconnect(client);
        }
    }

    private static void send(SMTPClient client, SoakMail mail) throws IOException {
        expect(client, client.setSender(mail.sender()), "MAIL FROM");
        for (String recipient : mail.recipients()) {
            expect(client, client.addRecipient(recipient), "RCPT TO:<" + recipient + ">");
        }
        expect(client, client.sendShortMessageData(mail.text()), "DATA of mail " + mail.n());
    }

    private static void expect(SMTPClient client, boolean positive, String command) throws IOException {
        if (!positive || !SMTPReply.isPositiveCompletion(client.getReplyCode())) {
            throw new IOException("James answered " + command + " with " + client.getReplyString().strip());
        }
    }

    /** QUIT; the node may have been killed since the last transaction, and every mail of this connection is handed over. */
    private static void logout(SMTPClient client) {
        try {
            client.logout();
        } catch (IOException e) {
            // a killed node's connection
        }
    }

    private static void disconnect(SMTPClient client) {
        if (client.isConnected()) {
            try {
                client.disconnect();
            } catch (IOException e) {
                // closing a connection to a killed James
            }
        }
    }
}
