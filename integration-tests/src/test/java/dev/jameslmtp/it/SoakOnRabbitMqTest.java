package dev.jameslmtp.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import dev.jameslmtp.demo.WorkDirectory;

/**
 * The soak under faults ({@link SoakRun}) on the distributed flavour: two James nodes on James's
 * RabbitMQ queue on one RabbitMQ, sharing the mails' contents in files, each killed once
 * mid-attempt and started again. 1,000 mails to alice and bob (some also to carol or nobody) by
 * default, {@code -Dsoak.mails=10000} from {@code scripts/soak --rabbitmq}. Fails on any
 * unexplained duplicate (among them a recipient whose {@code 250} a killed node had read, sent
 * again by the other node), any loss, a DSN naming a delivered recipient, or a RabbitMQ queue of
 * James's not empty at the end; both nodes must have delivered.
 */
class SoakOnRabbitMqTest {

    @Test
    void everyRecipientShouldHoldEachMailOnceWhenDovecotAndEitherJamesNodeAreKilledMidAttempt() throws Exception {
        SoakRun run = new SoakRun(SoakRun.Config.fromProperties(SoakRun.Flavour.RABBITMQ, 1000,
                Path.of(System.getProperty("soak.dir", WorkDirectory.of(getClass(), "soak").toString()))));

        SoakReport report = run.run();

        run.log("soak finished:\n" + report.table() + report.details());
        assertThat(report.jamesKills).as("James node kills").isEqualTo(2);
        assertThat(run.midAttemptKills()).as("kills caught mid-attempt by the trap").isPositive();
        assertThat(report.dovecotKills).as("Dovecot kills").isPositive();
        assertThat(report.copiesByNode).as("copies stored by each node").containsOnlyKeys("james-a", "james-b")
                .allSatisfy((node, copies) -> assertThat(copies).as(node).isPositive());
        assertThat(report.problems).as("problems").isEmpty();
        assertThat(report.passed()).as("passed:\n%s", report.table()).isTrue();
    }
}
