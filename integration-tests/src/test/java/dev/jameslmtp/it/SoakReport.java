package dev.jameslmtp.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The verdict of a soak: every copy Dovecot stored, set against what James's logs say of each
 * attempt and the DSNs the sink received.
 *
 * <p>A recipient that must receive the mail (alice, bob) is <em>delivered once</em> with one copy,
 * <em>lost</em> with none. Copies beyond the first are split by James run: a copy belongs to the
 * run of the node that sent it (the {@code Received} header Dovecot writes names the node) during
 * which it was saved. In a run, the copies James's log accounts for are one per recipient the node
 * knew delivered (a logged {@code delivered}; in a run ended by a kill, also a {@code 250} after
 * the data that its transcript shows read in an attempt the kill cut, when the reading thread
 * logged something after it, or the trap held the node a second after letting it through: the node
 * writes a {@code 250} in its delivery journal right after reading it), plus one per deferral
 * <em>after the final dot</em> (the connection broke after the dot: RFC 2033's window, the store
 * may have saved it), plus one if James was killed in that run (an attempt cut by the kill after
 * the store saved the message, before James read the reply or wrote it in its journal: the same
 * window on James's side). Copies beyond that, or a recipient known delivered in more than one
 * attempt (logged {@code delivered} twice: the mail was twice on James's queue, after a James kill
 * between a queue write and the acknowledgement or journal line that goes with it; or read by a
 * node that was then killed, and sent again by another node whose journal did not know it), are
 * <em>unexplained duplicates</em>. A recipient that must be refused (carol over quota, nobody
 * unknown) must be named in a DSN and stored nowhere; one in no DSN is counted lost. A DSN naming a
 * recipient that has a copy is a failure.
 */
final class SoakReport {

    /**
     * One James run: its node (the first label of its LHLO name), its log, when it was launched,
     * when it was killed (0: it was not), and the mail and user ({@link SoakAttempts#key}) whose
     * {@code 250} a {@link SoakKillTrap} let through to it before the kill, holding the node for a
     * while after it ({@code ""}: none).
     */
    record Run(String node, Path log, long startMicros, long killedMicros, String trappedRead) {
        boolean killed() {
            return killedMicros > 0;
        }

        Run killedAt(long micros, String trapped) {
            return new Run(node, log, startMicros, micros, trapped);
        }

        /** The run's name in the report: its log's ({@code james-a-2}). */
        String label() {
            return log.getFileName().toString().replaceFirst("\\.log$", "");
        }
    }

    /** One DSN: the mail it reports on, the recipients it names. */
    record Dsn(int mail, List<String> recipients) {
    }

    private static final int SHOWN = 20;
    /** The prefix of the entries of {@link #queues} that are error repositories, not queues. */
    static final String ERRORS = "errors";

    int mails;
    int recipients;
    int receivers;
    int refused;
    int deliveredOnce;
    int windowDuplicatesDovecot;
    int windowDuplicatesJames;
    int unexplained;
    int queuedTwice;
    int readThenKilled;
    int lost;
    int storedForRefused;
    int dsns;
    int dsnsNamingDelivered;
    int refusedInDsn;
    int dovecotKills;
    int jamesKills;
    int foreignFiles;
    final SortedMap<String, Integer> copiesByNode = new TreeMap<>();
    final List<String> kills = new ArrayList<>();
    SortedMap<String, Long> queues = new TreeMap<>();
    Duration duration = Duration.ZERO;
    final List<String> problems = new ArrayList<>();
    final List<String> windows = new ArrayList<>();

    static SoakReport of(List<SoakMail> all, List<SoakStore.Copy> copies, List<Run> runs, List<Dsn> dsnList) {
        SoakReport report = new SoakReport();
        List<SoakAttempts> logs = runs.stream().map(run -> SoakAttempts.read(run.log(), all, run.startMicros())).toList();
        copies.stream().filter(copy -> copy.mail() >= 0).forEach(copy -> report.copiesByNode.merge(copy.node(), 1, Integer::sum));
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
        int known = 0;
        int readByKilled = 0;
        int byDovecot = 0;
        int byJames = 0;
        StringBuilder why = new StringBuilder();
        for (int k = 0; k < runs.size(); k++) {
            Run run = runs.get(k);
            long inRun = copies.stream().filter(copy -> runOf(copy, runs) == run).count();
            SoakAttempts.Tally tally = logs.get(k).of(mail, user);
            boolean trapped = run.trappedRead().equals(SoakAttempts.key(mail, user)) && !tally.reads.isEmpty();
            int knownInRun = Math.max(tally.delivered, !run.killed() ? tally.reads.size() : trapped ? 1 : tally.readAndWentOn());
            delivered += tally.delivered;
            known += knownInRun;
            readByKilled += run.killed() ? knownInRun - tally.delivered : 0;
            int killed = run.killed() && inRun > knownInRun + tally.afterDot ? 1 : 0;
            excess += (int) Math.max(0, inRun - knownInRun - tally.afterDot - killed);
            byDovecot += (int) Math.min(tally.afterDot, Math.max(0, inRun - knownInRun));
            byJames += killed;
            if (inRun > 0 || knownInRun > 0) {
                why.append(" ").append(run.label()).append(": ").append(inRun)
                        .append(" cop").append(inRun == 1 ? "y" : "ies").append(", logged delivered ").append(tally.delivered)
                        .append(", deferred after the dot ").append(tally.afterDot);
                why.append(run.killed() ? ", killed " + sinceRead(run.killedMicros(), tally.reads, trapped) + ";" : ";");
            }
        }
        excess = Math.max(excess, known - 1);
        int duplicates = copies.size() - 1;
        int bad = Math.min(duplicates, excess);
        unexplained += bad;
        int twice = Math.min(bad, Math.max(0, delivered - 1));
        queuedTwice += twice;
        int readAgain = Math.min(bad - twice, readByKilled);
        readThenKilled += readAgain;
        // the explained duplicates, attributed to the Dovecot-side window first
        int explained = duplicates - bad;
        int dovecotSide = Math.min(explained, byDovecot);
        windowDuplicatesDovecot += dovecotSide;
        windowDuplicatesJames += Math.min(explained - dovecotSide, byJames);
        String line = "mail " + mail + " " + user + ": " + copies.size() + " copies;" + why;
        if (bad > 0) {
            problem("unexplained duplicate: " + line
                    + (twice > 0 ? " James's logs show " + delivered + " deliveries to this recipient: the mail was on James's queue twice" : "")
                    + (readAgain > 0 ? " a killed node had read its 250 (and written it in its journal): sent again by a node that did not"
                            + " know it" : "")
                    + handedBack(mail, runs, logs));
        } else if (windows.size() < SHOWN) {
            windows.add(line);
        }
    }

    /** The run a copy belongs to: the last run of its node launched before it was saved (any node's, if its node is unknown). */
    private static Run runOf(SoakStore.Copy copy, List<Run> runs) {
        Run found = null;
        for (Run run : runs) {
            boolean node = run.node().equals(copy.node()) || SoakStore.UNKNOWN_NODE.equals(copy.node());
            if (node && run.startMicros() <= copy.savedMicros() && (found == null || run.startMicros() > found.startMicros())) {
                found = run;
            }
        }
        return found;
    }

    /** How long before the kill the run read this recipient's last 250 after the data, and whether it was in its journal. */
    private static String sinceRead(long killedMicros, List<SoakAttempts.Read> reads, boolean trapped) {
        if (reads.isEmpty()) {
            return "without having read a 250 for it";
        }
        SoakAttempts.Read read = reads.get(reads.size() - 1);
        return (killedMicros - read.micros) / 1000 + " ms after it read a 250 for it (" + (trapped ? "held by the trap after it: in its journal"
                : read.wentOn() ? "its thread went on: in its journal" : "its thread logged nothing after it: perhaps not in its journal") + ")";
    }

    /** Where a killed run had handed this mail back to the queue (put aside for a busy store): the last time. */
    private static String handedBack(int mail, List<Run> runs, List<SoakAttempts> logs) {
        StringBuilder out = new StringBuilder();
        Set<String> names = new HashSet<>();
        logs.forEach(log -> names.addAll(log.names(mail)));
        for (int k = 0; k < runs.size(); k++) {
            if (runs.get(k).killed()) {
                for (String name : names) {
                    String run = runs.get(k).label();
                    logs.get(k).handedBack(name).ifPresent(time -> out.append("; ").append(run)
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
                && !queues.isEmpty() && queues.values().stream().allMatch(size -> size == 0);
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
        row(out, "unexplained duplicates (James's logs show delivered twice: the mail twice on the queue / read by a killed node,"
                + " sent again by another)", unexplained + " (" + queuedTwice + " / " + readThenKilled + ")");
        row(out, "lost (no copy, or refused and in no DSN)", lost);
        row(out, "stored for a recipient to be refused", storedForRefused);
        row(out, "DSNs (refused recipients named)", dsns + " (" + refusedInDsn + ")");
        row(out, "DSNs naming a delivered recipient", dsnsNamingDelivered);
        row(out, "Dovecot kills (SIGKILL, process group)", dovecotKills);
        row(out, "James kills (SIGKILL)", jamesKills);
        row(out, "copies stored, by the node that sent them", copiesByNode.entrySet().stream()
                .map(node -> node.getKey() + " " + node.getValue()).collect(Collectors.joining(", ")));
        row(out, "queues at the end (mails in " + queues.keySet().stream().filter(name -> !name.startsWith(ERRORS)).count()
                + " James queues; in error repositories)", queues.entrySet().stream().filter(q -> !q.getKey().startsWith(ERRORS))
                .mapToLong(Map.Entry::getValue).sum() + "; " + queues.entrySet().stream().filter(q -> q.getKey().startsWith(ERRORS))
                .mapToLong(Map.Entry::getValue).sum());
        row(out, "duration", SoakRun.format(duration));
        return out.toString();
    }

    String details() {
        StringBuilder out = new StringBuilder();
        kills.forEach(kill -> out.append("Kill: ").append(kill).append('\n'));
        out.append("Queues at the end: ").append(queues).append('\n');
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
