package dev.jameslmtp.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The last lines of each log file in order, a missing file skipped, any byte readable. */
class LogTailTest {

    @TempDir
    Path directory;

    @Test
    void theLastLinesOfEachFileShouldComeInOrderAndAMissingFileBeSkipped() throws Exception {
        Path log = Files.writeString(directory.resolve("server.log"), "one\ntwo\nthree\n");
        Path out = Files.write(directory.resolve("server.out"), new byte[] {'o', 'k', (byte) 0xff, '\n'});

        String tail = LogTail.of(2, List.of(log, directory.resolve("absent.log"), out));

        assertThat(tail).isEqualTo("two\nthree\nok\u00ff\n");
    }
}
