package dev.jameslmtp.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness in seconds, so that it does not rot: every client figure with a handful of messages
 * (smtp-sink and smtp-source when Postfix's tools are installed, else FakeLmtpServer alone), the
 * heap figure with a 1 MB message, BDAT against DATA into Dovecot when it is installed; no James, no private Postfix, no lmtp command. Checks that the
 * sink counted every message and that the table holds every figure; never a timing.
 */
class BenchmarkSmokeTest {

    @Test
    void harnessShouldMeasureEveryClientFigureAndTheSinkShouldCountEveryMessage(@TempDir Path work) throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();

        Benchmark.Report report = Benchmark.run(new Benchmark.Options(0.0004, 1, null, null, work, Path.of(".."), false, false, "yes"),
                new PrintStream(log, true, StandardCharsets.UTF_8));

        assertThat(report.failures()).isEmpty();
        assertThat(report.rows()).extracting(Benchmark.Row::figure).anySatisfy(f -> assertThat(f).startsWith("1 connection reused, 1 KB"))
                .anySatisfy(f -> assertThat(f).startsWith("8 connections reused, 100 KB"))
                .anySatisfy(f -> assertThat(f).startsWith("new connection per message"))
                .anySatisfy(f -> assertThat(f).startsWith("share of transactions on reused connections"))
                .anySatisfy(f -> assertThat(f).startsWith("heap growth"));
        if (DovecotChunking.available()) {
            assertThat(report.rows()).extracting(Benchmark.Row::figure)
                    .anySatisfy(f -> assertThat(f).startsWith("BDAT against DATA into Dovecot, 1 MB"));
        }
        assertThat(report.markdown()).startsWith("| figure | ours | reference | ratio | target |");
        if (Processes.installed("smtp-source") && Processes.installed("smtp-sink")) {
            assertThat(report.rows()).filteredOn(r -> r.figure().startsWith("1 connection reused, 1 KB"))
                    .allSatisfy(r -> assertThat(r.reference()).contains("msg/s"));
        }
    }
}
