package dev.jameslmtp.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs {@link LmtpCommand#run} in-process, as a shell would run {@code lmtp}, with the given
 * standard input and environment, and keeps what it wrote and its exit status.
 */
final class CommandRun {

    record Result(int status, String out, String err) {

        List<String> outLines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        }

        List<String> errLines() {
            return err.isEmpty() ? List.of() : List.of(err.split("\n"));
        }

        @Override
        public String toString() {
            return "exit " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private InputStream in = new ByteArrayInputStream("Subject: Test Email\n".getBytes(StandardCharsets.US_ASCII));
    private final Map<String, String> env = new HashMap<>(Map.of("USER", "tester"));
    private PasswordPrompt prompt = PasswordPrompt.NONE;

    static CommandRun command() {
        return new CommandRun();
    }

    CommandRun stdin(String text) {
        return stdin(text.getBytes(StandardCharsets.UTF_8));
    }

    CommandRun stdin(byte[] bytes) {
        this.in = new ByteArrayInputStream(bytes);
        return this;
    }

    CommandRun stdin(InputStream stream) {
        this.in = stream;
        return this;
    }

    CommandRun env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** What the terminal would answer when the command asks for a password; default: there is no terminal. */
    CommandRun prompt(PasswordPrompt answer) {
        this.prompt = answer;
        return this;
    }

    /** Sets {@code LMTP_DESTINATION}, as a tutorial example run against a test server needs. */
    CommandRun destination(String destination) {
        return env(Settings.DESTINATION_VARIABLE, destination);
    }

    Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = LmtpCommand.run(args, new LmtpCommand.Context(in, o, e, env), prompt);
        }
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
