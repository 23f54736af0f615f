package dev.jameslmtp.it;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The soak's progress line, every few seconds: phase, mails handed to James, mails settled (every
 * recipient stored, or named in a DSN when it must be refused) out of the total, kills so far,
 * elapsed time and an estimate of the time left.
 */
final class SoakProgress {

    private final SoakRun run;
    private final SoakStore store;
    private final SoakFeeder feeder;
    private final SoakChaos chaos;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "soak-progress");
        thread.setDaemon(true);
        return thread;
    });

    SoakProgress(SoakRun run, SoakStore store, SoakFeeder feeder, SoakChaos chaos) {
        this.run = run;
        this.store = store;
        this.feeder = feeder;
        this.chaos = chaos;
    }

    void start(Duration every) {
        timer.scheduleWithFixedDelay(this::print, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop() throws InterruptedException {
        timer.shutdownNow();
        timer.awaitTermination(10, TimeUnit.SECONDS);
    }

    private void print() {
        try {
            int total = run.mails().size();
            int settled = settled(store.scan());
            Duration elapsed = run.elapsed();
            String eta = settled == 0 ? "?" : SoakRun.format(elapsed.multipliedBy(total - settled).dividedBy(settled));
            run.log(String.format("[%s] handed to James %d/%d, settled %d/%d, DSNs %d, Dovecot kills %d, James kills %d, elapsed %s, ETA %s",
                    run.phase(), feeder.handedOver(), total, settled, total, run.dsnCount(), chaos.kills(), run.jamesKills(),
                    SoakRun.format(elapsed), eta));
        } catch (RuntimeException e) {
            run.log("progress: " + e);
        }
    }

    /** Mails whose every recipient has a fate seen from outside: a stored copy, or a DSN naming it. */
    int settled(List<SoakStore.Copy> copies) {
        Set<String> stored = new HashSet<>();
        copies.forEach(copy -> stored.add(SoakAttempts.key(copy.mail(), copy.user())));
        int settled = 0;
        for (SoakMail mail : run.mails()) {
            boolean done = mail.receivers().stream().allMatch(r -> stored.contains(SoakAttempts.key(mail.n(), SoakMail.user(r))))
                    && mail.refused().stream().allMatch(r -> run.inDsn(mail.n(), r));
            if (done) {
                settled++;
            }
        }
        return settled;
    }
}
