package dev.jameslmtp.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import dev.jameslmtp.demo.WorkDirectory;

/**
 * The soak under faults ({@link SoakRun}): 300 mails by default, {@code -Dsoak.mails=10000} from
 * {@code scripts/soak}. Fails on any unexplained duplicate, any loss, a DSN naming a delivered
 * recipient, or a queue not empty at the end.
 */
class SoakTest {

    @Test
    void everyRecipientShouldHoldEachMailOnceWhenDovecotAndJamesAreKilledDuringDelivery() throws Exception {
        SoakRun run = new SoakRun(SoakRun.Config.fromProperties(SoakRun.Flavour.ACTIVEMQ, 300, Path.of(System.getProperty("soak.dir", WorkDirectory.of(getClass(), "soak").toString()))));

        SoakReport report = run.run();

        run.log("soak finished:\n" + report.table() + report.details());
        assertThat(report.jamesKills).as("James kills").isEqualTo(2);
        assertThat(report.dovecotKills).as("Dovecot kills").isPositive();
        assertThat(report.problems).as("problems").isEmpty();
        assertThat(report.passed()).as("passed:\n%s", report.table()).isTrue();
    }
}
