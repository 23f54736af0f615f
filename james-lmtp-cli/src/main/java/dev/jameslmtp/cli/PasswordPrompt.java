package dev.jameslmtp.cli;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Asks for a password. Since the message comes on standard input, the terminal is {@code /dev/tty},
 * read without echo ({@code stty -echo}, restored afterwards). Never from the command line.
 */
@FunctionalInterface
public interface PasswordPrompt {

    /** No terminal: nobody to ask. */
    PasswordPrompt NONE = prompt -> Optional.empty();

    /** Shows {@code prompt} and reads one line without echo; empty when there is no terminal. */
    Optional<char[]> read(String prompt);

    /** The controlling terminal, {@code /dev/tty}. */
    static PasswordPrompt terminal() {
        return PasswordPrompt::fromTerminal;
    }

    private static Optional<char[]> fromTerminal(String prompt) {
        File tty = new File("/dev/tty");
        try (InputStream in = new FileInputStream(tty); OutputStream out = new FileOutputStream(tty)) {
            out.write(prompt.getBytes(StandardCharsets.UTF_8));
            out.flush();
            boolean echoOff = stty(tty, "-echo");
            try {
                return Optional.of(readLine(in));
            } finally {
                if (echoOff) {
                    stty(tty, "echo");
                }
                out.write('\n');
                out.flush();
            }
        } catch (IOException e) {
            return Optional.empty(); // no controlling terminal
        }
    }

    private static boolean stty(File tty, String setting) {
        try {
            Process stty = new ProcessBuilder("stty", setting).redirectInput(tty).redirectErrorStream(true).start();
            stty.getInputStream().readAllBytes();
            return stty.waitFor(5, TimeUnit.SECONDS) && stty.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static char[] readLine(InputStream in) throws IOException {
        byte[] bytes = new byte[256];
        int length = 0;
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (length == bytes.length) {
                bytes = Arrays.copyOf(bytes, bytes.length * 2);
            }
            bytes[length++] = (byte) b;
        }
        if (length > 0 && bytes[length - 1] == '\r') {
            length--;
        }
        java.nio.CharBuffer decoded = StandardCharsets.UTF_8.decode(java.nio.ByteBuffer.wrap(bytes, 0, length));
        Arrays.fill(bytes, (byte) 0);
        char[] chars = new char[decoded.remaining()];
        decoded.get(chars);
        return chars;
    }
}
