package dev.jameslmtp.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The last lines of a test server's log files, for assertion and start-up failure messages. Read as
 * ISO-8859-1, so that no byte makes the read fail; a missing file is skipped, an unreadable one is
 * named with the reason.
 */
final class LogTail {

    private LogTail() {
    }

    /** The last {@code lines} lines of each of {@code files}, in that order, each line ended by a newline. */
    static String of(int lines, List<Path> files) {
        StringBuilder out = new StringBuilder();
        for (Path file : files) {
            try {
                if (Files.exists(file)) {
                    List<String> all = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
                    all.subList(Math.max(0, all.size() - lines), all.size()).forEach(line -> out.append(line).append('\n'));
                }
            } catch (IOException e) {
                out.append("(cannot read ").append(file).append(": ").append(e).append(")\n");
            }
        }
        return out.toString();
    }
}
