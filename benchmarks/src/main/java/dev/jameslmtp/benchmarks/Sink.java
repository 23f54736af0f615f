package dev.jameslmtp.benchmarks;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;

/**
 * The LMTP sink everybody delivers to: Postfix's {@code smtp-sink -L -c} pinned to its CPU, its
 * running counter read from its output; or, where Postfix's tools are missing (the smoke test on
 * a bare machine), our {@link FakeLmtpServer}, counting bodies.
 */
abstract class Sink implements AutoCloseable {

    abstract int port();

    /** Messages received so far. */
    abstract long count();

    /** Whether the sink still runs (smtp-sink may be killed from outside). */
    abstract boolean alive();

    /** Waits, bounded, until the count reaches {@code expected} or the sink is gone; returns the count then. */
    long awaitCount(long expected, Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        long count = count();
        while (count < expected && System.nanoTime() < deadline && alive()) {
            Thread.sleep(20);
            count = count();
        }
        return count;
    }

    @Override
    public abstract void close();

    static Sink start(Path workDir, String cpu) throws IOException, InterruptedException {
        return Processes.installed("smtp-sink") ? new SmtpSink(workDir, cpu) : new FakeSink();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    /** Postfix's smtp-sink in LMTP mode. */
    static final class SmtpSink extends Sink {
        private static final Pattern MESSAGES = Pattern.compile("mesg=(\\d+)");
        private final int port;
        private final Path output;
        private final Process process;

        SmtpSink(Path workDir, String cpu) throws IOException, InterruptedException {
            this.port = freePort();
            this.output = workDir.resolve("smtp-sink.out");
            List<String> command = new ArrayList<>(List.of(Processes.which("smtp-sink"), "-L", "-c"));
            if (Processes.isRoot()) {
                command.addAll(List.of("-u", "nobody"));
            }
            command.addAll(List.of("127.0.0.1:" + port, "1024"));
            this.process = new ProcessBuilder(Processes.pinned(cpu, command.toArray(String[]::new)))
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < deadline) {
                try (var probe = new java.net.Socket("127.0.0.1", port)) {
                    return;
                } catch (IOException notYet) {
                    Thread.sleep(20);
                }
            }
            process.destroy();
            throw new IOException("smtp-sink did not listen on 127.0.0.1:" + port);
        }

        @Override
        int port() {
            return port;
        }

        @Override
        long count() {
            try (RandomAccessFile file = new RandomAccessFile(output.toFile(), "r")) {
                long length = file.length();
                int tail = (int) Math.min(length, 256);
                byte[] bytes = new byte[tail];
                file.seek(length - tail);
                file.readFully(bytes);
                Matcher m = MESSAGES.matcher(new String(bytes, StandardCharsets.ISO_8859_1));
                long last = 0;
                while (m.find()) {
                    last = Long.parseLong(m.group(1));
                }
                return last;
            } catch (IOException e) {
                return 0;
            }
        }

        @Override
        boolean alive() {
            return process.isAlive();
        }

        @Override
        public void close() {
            process.destroy();
        }
    }

    /** Our fake server, where smtp-sink is missing. */
    static final class FakeSink extends Sink {
        private final java.util.concurrent.atomic.AtomicLong messages = new java.util.concurrent.atomic.AtomicLong();
        private final FakeLmtpServer server = FakeLmtpServer.start(new LmtpHandler() {
            @Override
            public List<dev.jameslmtp.testing.Response> afterDot(List<String> accepted, byte[] body) {
                messages.incrementAndGet();
                return LmtpHandler.super.afterDot(accepted, body);
            }
        });

        @Override
        int port() {
            return server.port();
        }

        @Override
        long count() {
            return messages.get();
        }

        @Override
        boolean alive() {
            return true;
        }

        @Override
        public void close() {
            server.close();
        }
    }
}
