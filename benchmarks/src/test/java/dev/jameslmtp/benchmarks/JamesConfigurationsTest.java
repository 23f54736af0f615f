package dev.jameslmtp.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import javax.mail.Message;
import javax.mail.Session;
import javax.mail.Transport;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.jameslmtp.demo.BenchmarkJames;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.Response;

/**
 * The two James configurations the end-to-end figures compare LmtpDelivery with, without the
 * harness: {@code Null} counts every mail it takes (its completion signal), and
 * {@code RemoteDelivery} relays to its gateway on 127.0.0.1 (a fake server answering EHLO as it
 * answers LHLO: one reply after the dot for the one recipient, as SMTP has it).
 */
class JamesConfigurationsTest {

    @Test
    void nullShouldCountEveryMailJamesTakes(@TempDir Path work) throws Exception {
        try (BenchmarkJames james = BenchmarkJames.withNull(work)) {
            send(james.smtpPort(), 3);

            assertThat(await(james::nullCount, 3)).isEqualTo(3);
        }
    }

    @Test
    void remoteDeliveryShouldRelayEveryMailToTheGateway(@TempDir Path work) throws Exception {
        AtomicLong relayed = new AtomicLong();
        try (FakeLmtpServer gateway = FakeLmtpServer.start(new LmtpHandler() {
            @Override
            public Response unknown(String line) {
                return line.toUpperCase(java.util.Locale.ROOT).startsWith("EHLO") ? lhlo("james") : LmtpHandler.super.unknown(line);
            }

            @Override
            public java.util.List<Response> afterDot(java.util.List<String> accepted, byte[] body) {
                relayed.incrementAndGet();
                return LmtpHandler.super.afterDot(accepted, body);
            }
        });
             BenchmarkJames james = BenchmarkJames.withRemoteDelivery(work, gateway.port(),
                     Map.of("outgoing", "test-remote", "maxRetries", "1", "delayTime", "1*1 second"))) {
            send(james.smtpPort(), 3);

            assertThat(await(relayed::get, 3)).isEqualTo(3);
        }
    }

    private static void send(int port, int mails) throws Exception {
        Properties properties = new Properties();
        properties.put("mail.smtp.host", "127.0.0.1");
        properties.put("mail.smtp.port", String.valueOf(port));
        properties.put("mail.smtp.connectiontimeout", "10000");
        properties.put("mail.smtp.timeout", "10000");
        Session session = Session.getInstance(properties);
        for (int i = 0; i < mails; i++) {
            MimeMessage message = new MimeMessage(session);
            message.setFrom(new InternetAddress("sender@sender.test"));
            message.addRecipient(Message.RecipientType.TO, new InternetAddress("user@" + BenchmarkJames.STORE_DOMAIN));
            message.setSubject("benchmark configuration " + i);
            message.setText("one line\n");
            Transport.send(message);
        }
    }

    private static long await(LongSupplier count, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (count.getAsLong() < expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return count.getAsLong();
    }
}
