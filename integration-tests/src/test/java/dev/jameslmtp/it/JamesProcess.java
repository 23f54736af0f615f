package dev.jameslmtp.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.google.inject.Module;

import dev.jameslmtp.demo.ActiveMQQueueModule;
import dev.jameslmtp.testing.RabbitMqServer;

/**
 * A James with one LmtpDelivery in a JVM of its own, so that a test can kill it with SIGKILL, or
 * run several. Its queues are the persistent ActiveMQ queue, or James's RabbitMQ queue on a given
 * RabbitMQ with the mails' contents in files under a directory that James JVMs share. Arguments:
 * working directory, LMTP destination, queue name, {@code keep} or {@code fresh}, then for RabbitMQ
 * its AMQP URI, management URI, user, password and the shared blob directory. Its LHLO name is
 * {@code <working directory's name>.sender.test}, which tells James JVMs apart at the store.
 * Prints {@code SMTP <port>} once started; stops when its standard input ends.
 */
public final class JamesProcess {

    private JamesProcess() {
    }

    /** Starts a fresh James (its working directory wiped) in a child JVM on this test's class path. */
    static Process startFresh(Path workDir, String destination, String queue) throws IOException {
        return start(List.of(workDir.toString(), destination, queue, "fresh"));
    }

    /** Starts a fresh James whose queues are on {@code rabbit}, the mails' contents in files under {@code sharedBlobs}. */
    static Process startFreshOnRabbitMq(Path workDir, String destination, String queue, RabbitMqServer rabbit, Path sharedBlobs)
            throws IOException {
        return start(List.of(workDir.toString(), destination, queue, "fresh", rabbit.amqpUri().toString(),
                rabbit.managementUri().toString(), rabbit.user(), rabbit.password(), sharedBlobs.toString()));
    }

    private static Process start(List<String> arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-Djames.exit.on.startup.error=false",
                "-Djames.lifecycle.leak.detection.mode=NONE",
                "-Dlogback.configurationFile=" + System.getProperty("logback.configurationFile", ""),
                JamesProcess.class.getName()));
        command.addAll(arguments);
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** The SMTP port the James in {@code child} printed once started; waits at most two minutes. */
    static int smtpPortOf(Process child) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Integer> port = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (line.startsWith("SMTP ")) {
                        return Integer.parseInt(line.substring("SMTP ".length()).strip());
                    }
                }
                throw new IllegalStateException("James in the child JVM ended before it started");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return port.get(120, TimeUnit.SECONDS);
    }

    public static void main(String[] args) throws Exception {
        Path workDir = Path.of(args[0]);
        Map<String, String> parameters = Lmtp.toDestination(args[1]);
        parameters.put("lhloName", workDir.getFileName() + "." + EmbeddedJames.LOCAL_DOMAIN);
        parameters.put("outgoing", args[2]);
        parameters.put("delayTime", "15 seconds");
        parameters.put("dotTimeout", "5 minutes");
        Module queues = args.length > 4
                ? new RabbitMqQueueModule(URI.create(args[4]), URI.create(args[5]), args[6], args[7], Optional.of(Path.of(args[8])))
                : new ActiveMQQueueModule();
        EmbeddedJames.Builder builder = EmbeddedJames.builder(workDir)
                .lmtpDelivery("HostIs=store.test", parameters)
                .override(queues);
        try (EmbeddedJames james = ("keep".equals(args[3]) ? builder.keepingWorkDir() : builder).start()) {
            System.out.println("SMTP " + james.smtpPort());
            System.out.flush();
            BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (stdin.readLine() != null) {
                // wait for the end of input
            }
        }
        System.exit(0);
    }
}
