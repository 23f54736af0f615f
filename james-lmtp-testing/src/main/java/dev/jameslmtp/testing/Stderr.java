package dev.jameslmtp.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** What an action writes to {@code System.err}, where the tests' slf4j-simple writes its log lines. */
public final class Stderr {

    private Stderr() {
    }

    /** Runs {@code action} with {@code System.err} captured, puts it back, and returns what was written. */
    public static String of(Runnable action) {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(stderr);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
