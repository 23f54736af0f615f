package dev.jameslmtp.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The verdict of a soak: every copy Dovecot stored, set against what James's logs say of each
 * attempt and the DSNs the sink received.
 *
 * <p>A recipient that must receive the mail (alice, bob) is <em>delivered once</em> with one copy,
 * <em>lost</em> with none. Copies beyond the first are split by James run (a copy belongs to the
 * run during which it was saved): in a run, the copies James's log accounts for are one per
 * logged {@code delivered} plus one per deferral <em>after the final dot</em> (the connection broke
 * after the dot: RFC 2033's window, the store may have saved it), plus one if James was killed in
 * that run (an attempt cut by the kill after the store saved the message, before James read or
 * wrote the reply: the same window on James's side). Copies beyond that, or a second logged
 * {@code delivered} for the same recipient (the mail was twice on James's queue: after a James
 * kill between a queue write and the acknowledgement or journal line that goes with it), are
 * <em>unexplained duplicates</em>. A recipient that
 * must be refused (carol over quota, nobody unknown) must be named in a DSN and stored nowhere; one
 * in no DSN is counted lost. A DSN naming a recipient that has a copy is a failure.
 */
final class SoakReport {

    /** One James run: its log, when it was launched, whether it ended killed. */
    record Run(java.nio.file.Path log, long startMicros, boolean killed) {
    }

    /** One DSN: the mail it reports on, the recipients it names. */
    record Dsn(int mail, List<String> recipients) {
    }

    private static final int SHOWN = 20;

    int mails;
    int recipients;
    int receivers;
    int refused;
    int deliveredOnce;
    int windowDuplicatesDovecot;
    int windowDuplicatesJames;
    int unexplained;
    int queuedTwice;
    int lost;
    int storedForRefused;
    int dsns;
    int dsnsNamingDelivered;
    int refusedInDsn;
    int dovecotKills;
    int jamesKills;
    int foreignFiles;
    Map<String, Long> queues = Map.of();
    Duration duration = Duration.ZERO;
    final List<String> problems = new ArrayList<>();
    final List<String> windows = new ArrayList<>();

    static SoakReport of(List<SoakMail> all, List<SoakStore.Copy> copies, List<Run> runs, List<Dsn> dsnList) {
        SoakReport report = new SoakReport();
        List<SoakAttempts> logs = runs.stream().map(run -> SoakAttempts.read(run.log(), all)).toList();
        Map<String, List<SoakStore.Copy>> stored = SoakStore.byMailAndUser(copies);
        Map<String, Integer> namedInDsn = new HashMap<>();
        for (Dsn dsn : dsnList) {
            dsn.recipients().forEach(r -> namedInDsn.merge(SoakAttempts.key(dsn.mail(), SoakMail.user(r)), 1, Integer::sum));
            if (dsn.recipients().stream().anyMatch(r -> stored.containsKey(SoakAttempts.key(dsn.mail(), SoakMail.user(r))))) {
                report.dsnsNamingDelivered++;
                report.problem("DSN for mail " + dsn.mail() + " names " + dsn.recipients() + ", of whom some have a copy");
            }
        }
        report.mails = all.size();
        report.dsns = dsnList.size();
        for (SoakMail mail : all) {
            report.recipients += mail.recipients().size();
            for (String recipient : mail.receivers()) {
                report.receivers++;
                report.receiver(mail.n(), SoakMail.user(recipient), stored.getOrDefault(SoakAttempts.key(mail.n(), SoakMail.user(recipient)), List.of()),
                        runs, logs);
            }
            for (String recipient : mail.refused()) {
                report.refused++;
                String key = SoakAttempts.key(mail.n(), SoakMail.user(recipient));
                if (stored.containsKey(key)) {
                    report.storedForRefused++;
                    report.problem("mail " + mail.n() + " stored for " + recipient + ", who must be refused");
                }
                if (namedInDsn.containsKey(key)) {
                    report.refusedInDsn++;
                } else {
                    report.lost++;
                    report.problem("mail " + mail.n() + ": " + recipient + " refused, but in no DSN");
                }
            }
        }
        return report;
    }

    private void receiver(int mail, String user, List<SoakStore.Copy> copies, List<Run> runs, List<SoakAttempts> logs) {
        if (copies.isEmpty()) {
            lost++;
            problem("mail " + mail + " never reached " + user);
            return;
        }
        if (copies.size() == 1) {
            deliveredOnce++;
            return;
        }
        int excess = 0;
        int delivered = 0;
        int byDovecot = 0;
        int byJames = 0;
        StringBuilder why = new StringBuilder();
        for (int k = 0; k < runs.size(); k++) {
            long from = runs.get(k).startMicros();
            long to = k + 1 < runs.size() ? runs.get(k + 1).startMicros() : Long.MAX_VALUE;
            long inRun = copies.stream().filter(c -> c.savedMicros() >= from && c.savedMicros() < to).count();
            SoakAttempts.Tally tally = logs.get(k).of(mail, user);
            delivered += tally.delivered;
            int killed = runs.get(k).killed() && inRun > tally.delivered + tally.afterDot ? 1 : 0;
            excess += (int) Math.max(0, inRun - tally.delivered - tally.afterDot - killed);
            byDovecot += (int) Math.min(tally.afterDot, Math.max(0, inRun - tally.delivered));
            byJames += killed;
            if (inRun > 0) {
                why.append(" run ").append(k + 1).append(": ").append(inRun).append(" cop").append(inRun == 1 ? "y" : "ies")
                        .append(", logged delivered ").append(tally.delivered).append(", deferred after the dot ").append(tally.afterDot)
                        .append(runs.get(k).killed() ? ", James killed in this run;" : ";");
            }
        }
        excess = Math.max(excess, delivered - 1);
        int duplicates = copies.size() - 1;
        int bad = Math.min(duplicates, excess);
        unexplained += bad;
        int twice = Math.min(bad, Math.max(0, delivered - 1));
        queuedTwice += twice;
        // the explained duplicates, attributed to the Dovecot-side window first
        int explained = duplicates - bad;
        int dovecotSide = Math.min(explained, byDovecot);
        windowDuplicatesDovecot += dovecotSide;
        windowDuplicatesJames += Math.min(explained - dovecotSide, byJames);
        String line = "mail " + mail + " " + user + ": " + copies.size() + " copies;" + why;
        if (bad > 0) {
            problem("unexplained duplicate: " + line + (twice > 0
                    ? " James's log shows " + delivered + " deliveries to this recipient: the mail was on James's queue twice" : "")
                    + handedBack(mail, runs, logs));
        } else if (windows.size() < SHOWN) {
            windows.add(line);
        }
    }

    /** Where a killed run had handed this mail back to the queue (put aside for a busy store): the last time. */
    private static String handedBack(int mail, List<Run> runs, List<SoakAttempts> logs) {
        StringBuilder out = new StringBuilder();
        java.util.Set<String> names = new java.util.HashSet<>();
        logs.forEach(log -> names.addAll(log.names(mail)));
        for (int k = 0; k < runs.size(); k++) {
            if (runs.get(k).killed()) {
                for (String name : names) {
                    int run = k + 1;
                    logs.get(k).handedBack(name).ifPresent(time -> out.append("; run ").append(run)
                            .append(" (killed) had handed it back to the queue at ").append(time));
                }
            }
        }
        return out.toString();
    }

    private void problem(String text) {
        problems.add(text);
    }

    boolean passed() {
        return unexplained == 0 && lost == 0 && storedForRefused == 0 && dsnsNamingDelivered == 0 && foreignFiles == 0
                && queues.values().stream().allMatch(size -> size == 0);
    }

    String table() {
        StringBuilder out = new StringBuilder();
        row(out, "figure", "count");
        row(out, "---", "---");
        row(out, "mails", mails);
        row(out, "recipients (to store / to be refused: carol over quota, nobody unknown)", recipients + " (" + receivers + " / " + refused + ")");
        row(out, "delivered once", deliveredOnce);
        row(out, "duplicates in the after-dot window (Dovecot killed / James killed)",
                (windowDuplicatesDovecot + windowDuplicatesJames) + " (" + windowDuplicatesDovecot + " / " + windowDuplicatesJames + ")");
        row(out, "unexplained duplicates (of which James's log shows delivered twice: the mail twice on the queue)",
                unexplained + " (" + queuedTwice + ")");
        row(out, "lost (no copy, or refused and in no DSN)", lost);
        row(out, "stored for a recipient to be refused", storedForRefused);
        row(out, "DSNs (refused recipients named)", dsns + " (" + refusedInDsn + ")");
        row(out, "DSNs naming a delivered recipient", dsnsNamingDelivered);
        row(out, "Dovecot kills (SIGKILL, process group)", dovecotKills);
        row(out, "James kills (SIGKILL)", jamesKills);
        row(out, "queues at the end (spool, outgoing, bounces, error repository)", queues.values().toString());
        row(out, "duration", SoakRun.format(duration));
        return out.toString();
    }

    String details() {
        StringBuilder out = new StringBuilder();
        if (!windows.isEmpty()) {
            out.append("Duplicates in the after-dot window (first ").append(SHOWN).append("):\n");
            windows.forEach(w -> out.append("  ").append(w).append('\n'));
        }
        if (!problems.isEmpty()) {
            out.append("Problems (").append(problems.size()).append("):\n");
            problems.stream().limit(50).forEach(p -> out.append("  ").append(p).append('\n'));
        }
        return out.toString();
    }

    private static void row(StringBuilder out, String figure, Object value) {
        out.append("| ").append(figure).append(" | ").append(value).append(" |\n");
    }
}
