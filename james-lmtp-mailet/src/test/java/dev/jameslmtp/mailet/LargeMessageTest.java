package dev.jameslmtp.mailet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.james.server.core.MimeMessageInputStreamSource;
import org.apache.james.server.core.MimeMessageWrapper;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;

/**
 * A 50 MB message held the way James holds one after SMTP (a {@link MimeMessageWrapper} over a
 * file-backed {@link MimeMessageInputStreamSource}) goes through an attempt streamed: the store gets
 * exactly its bytes, and the thread that delivers it allocates a small fraction of its size. The
 * bound is on bytes allocated by that thread ({@code ThreadMXBean.getCurrentThreadAllocatedBytes},
 * deterministic, unlike heap samples that depend on the collector), after a warm-up attempt so that
 * class loading is not counted; a copy of the message anywhere on the path would be 50 MB.
 */
class LargeMessageTest {

    private static final long SIZE = 50L * 1024 * 1024;
    private static final long ALLOCATION_BOUND = 2L * 1024 * 1024;

    private final FakeLmtpServer server = FakeLmtpServer.start(LmtpHandler.withCapabilities(
            "PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME", "SIZE 104857600"));
    private LmtpDelivery mailet;

    @TempDir
    Path dir;

    @AfterEach
    void tearDown() {
        if (mailet != null) {
            mailet.destroy();
        }
        server.close();
    }

    @Test
    void attemptShouldStreamA50MbMessageUnchangedAllocatingUnder2Mb() throws Exception {
        mailet = new LmtpDelivery(new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory(), Clock.systemUTC()),
                new RecordingMetricFactory(), () -> "james.test", Clock.systemUTC(), LmtpDelivery.ConsumerMode.DO_NOT_START);
        mailet.init(FakeMailetConfig.builder().mailetName("lmtp").mailetContext(FakeMailContext.defaultContext())
                .setProperty("destination", "inet:127.0.0.1:" + server.port()).build());
        Path small = write(dir.resolve("small.eml"), 4096);
        assertThat(mailet.pipeline().attempt(mail("warm-up", small)).addresses(Fate.DELIVERED)).hasSize(1);
        Path large = write(dir.resolve("large.eml"), SIZE);
        Mail mail = mail("large", large);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

        long before = threads.getCurrentThreadAllocatedBytes();
        DeliveryResult outcomes = mailet.pipeline().attempt(mail);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(outcomes.addresses(Fate.DELIVERED)).containsExactly("bob@b.test");
        List<byte[]> bodies = server.bodies(server.connectionCount() - 1);
        byte[] stored = FakeLmtpServer.unstuff(bodies.get(bodies.size() - 1));
        byte[] sent = Files.readAllBytes(large);
        assertThat(stored.length).isEqualTo(sent.length);
        assertThat(Arrays.mismatch(stored, sent)).as("first differing byte").isEqualTo(-1);
        assertThat(allocated).as("bytes allocated by the delivering thread for a %d-byte message", SIZE)
                .isLessThan(ALLOCATION_BOUND);
    }

    private static Mail mail(String name, Path file) throws Exception {
        MimeMessageWrapper message;
        try (InputStream in = Files.newInputStream(file)) {
            message = new MimeMessageWrapper(MimeMessageInputStreamSource.create(name, in));
        }
        return FakeMail.builder().name(name).mimeMessage(message).sender("alice@a.test").recipients("bob@b.test")
                .state(Mail.DEFAULT).build();
    }

    /** A message of about {@code size} bytes: CRLF lines, some starting with a dot, some with 8-bit bytes. */
    private static Path write(Path file, long size) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            out.write(("From: alice@a.test\r\nTo: bob@b.test\r\nSubject: large\r\nMessage-ID: <large@a.test>\r\n"
                    + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=ISO-8859-1\r\n"
                    + "Content-Transfer-Encoding: 8bit\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] line = "0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-\u00e9t\u00e9\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1);
            for (long written = 0, n = 0; written < size; written += line.length, n++) {
                if (n % 97 == 0) {
                    out.write('.');
                }
                out.write(line);
            }
        }
        return file;
    }
}
