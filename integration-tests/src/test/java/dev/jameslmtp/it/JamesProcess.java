package dev.jameslmtp.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.jameslmtp.demo.ActiveMQQueueModule;

/**
 * A James with the persistent ActiveMQ queue and one LmtpDelivery, in a JVM of its own, so that a
 * test can kill it with SIGKILL. Arguments: working directory, LMTP destination, queue name,
 * {@code keep} or {@code fresh}. Prints {@code SMTP <port>} once started; stops when its standard
 * input ends.
 */
public final class JamesProcess {

    private JamesProcess() {
    }

    /** Starts a fresh James (its working directory wiped) in a child JVM on this test's class path. */
    static Process startFresh(Path workDir, String destination, String queue) throws IOException {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-Djames.exit.on.startup.error=false",
                "-Djames.lifecycle.leak.detection.mode=NONE",
                "-Dlogback.configurationFile=" + System.getProperty("logback.configurationFile", ""),
                JamesProcess.class.getName(), workDir.toString(), destination, queue, "fresh")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
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
        Map<String, String> parameters = Lmtp.toDestination(args[1]);
        parameters.put("outgoing", args[2]);
        parameters.put("delayTime", "15 seconds");
        parameters.put("dotTimeout", "5 minutes");
        EmbeddedJames.Builder builder = EmbeddedJames.builder(Path.of(args[0]))
                .lmtpDelivery("HostIs=store.test", parameters)
                .override(new ActiveMQQueueModule());
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
