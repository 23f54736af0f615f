package dev.jameslmtp.it;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * A James with the persistent ActiveMQ queue and one LmtpDelivery, in a JVM of its own, so that a
 * test can kill it with SIGKILL. Arguments: working directory, LMTP destination, queue name,
 * {@code keep} or {@code fresh}. Prints {@code SMTP <port>} once started; stops when its standard
 * input ends.
 */
public final class JamesProcess {

    private JamesProcess() {
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
