package dev.jameslmtp.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import dev.jameslmtp.mailet.attempt.SessionTranscript;

/**
 * What one James run's log says of each attempt to the store: LmtpDelivery's one line per attempt
 * ({@code LMTP delivery of mail <name> from soak-<n>@bounces.test: delivered [alice@example.test
 * 250 2.0.0] deferred [bob@example.test 4.4.2 (retry 1/600 in 1 second: lost connection with ...
 * while sending end of data -- message may be sent more than once (...))] via ...}), counted for
 * each mail and user: delivered, deferred after the final dot (RFC 2033's window: the store may
 * have saved the message), bounced. Where the log has the transcript ({@code transcript=true}:
 * {@code <name> C: MAIL FROM:<soak-<n>@bounces.test>} tells the mail, {@code <name> S: 250 2.0.0
 * <alice@example.test> ...} a recipient's reply after the data, as the node read it), also each
 * {@code 250} after the data the node read, when (microseconds since the epoch), and whether the
 * thread that read it logged anything after it: an attempt cut by a kill writes no attempt line,
 * but its transcript shows what the node had read, and the attempt thread writes a recipient's
 * {@code 250} in the delivery journal right after reading it, before it logs anything else (the
 * next reply, the attempt line), so a later line of that thread means the journal had it. The
 * log's times ({@code HH:mm:ss.SSS}, local) are dated from the run's start.
 */
final class SoakAttempts {

    static final String PREFIX = "LMTP delivery of mail ";
    private static final ZoneId ZONE = ZoneId.systemDefault();
    private static final Pattern TIME = Pattern.compile("\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d ");
    static final String AFTER_THE_DOT = "while sending end of data -- message may be sent more than once";
    private static final List<String> FATES = List.of("delivered", "deferred", "bounced");

    /** The counts of one mail and user in one run. */
    static final class Tally {
        int delivered;
        int afterDot;
        int bounced;
        final List<Read> reads = new ArrayList<>();

        /** The {@code 250} replies after the data that the node read and then went on from (it had written them in its journal). */
        int readAndWentOn() {
            return (int) reads.stream().filter(Read::wentOn).count();
        }
    }

    /** A {@code 250} after the data as the node read it: when, on which thread, whether that thread logged anything after it. */
    static final class Read {
        final long micros;
        final String thread;
        boolean wentOn;

        Read(long micros, String thread) {
            this.micros = micros;
            this.thread = thread;
        }

        boolean wentOn() {
            return wentOn;
        }
    }

    private static final String TRANSCRIPT = SessionTranscript.LOGGER_NAME + " - ";
    private static final String SENT_MAIL_FROM = " C: MAIL FROM:";
    private static final String READ_250 = " S: 250 ";

    private static final String HANDED_BACK = " goes back on the queue for ";

    private final Map<String, Tally> tallies = new HashMap<>();
    private final Map<Integer, Set<String>> names = new HashMap<>();
    private final Map<String, String> handedBack = new HashMap<>();
    private final Map<String, Integer> mailOfName = new HashMap<>();
    private final Map<String, List<Read>> lastReadsOfThread = new HashMap<>();
    private final LocalDateTime start;
    private int lines;

    private SoakAttempts(LocalDateTime start) {
        this.start = start;
    }

    /** Reads the log of a run started at {@code startMicros}; lines of mails that are not the soak's (the DSNs) are skipped. */
    static SoakAttempts read(Path log, List<SoakMail> mails, long startMicros) {
        SoakAttempts attempts = new SoakAttempts(LocalDateTime.ofInstant(Instant.EPOCH.plus(startMicros, ChronoUnit.MICROS), ZONE));
        if (!Files.exists(log)) {
            return attempts;
        }
        try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
            lines.forEach(line -> attempts.add(line, mails));
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalStateException("cannot read " + log, e);
        }
        return attempts;
    }

    private void add(String line, List<SoakMail> mails) {
        if (TIME.matcher(line).lookingAt()) {
            List<Read> before = lastReadsOfThread.remove(thread(line));
            if (before != null) {
                before.forEach(read -> read.wentOn = true);
            }
        }
        int transcript = line.indexOf(TRANSCRIPT);
        if (transcript > 0) {
            transcript(line, transcript + TRANSCRIPT.length(), mails);
            return;
        }
        int back = line.indexOf(HANDED_BACK);
        if (back > 0) {
            int name = line.lastIndexOf(" Mail ", back);
            if (name > 0) {
                handedBack.put(line.substring(name + " Mail ".length(), back), line.substring(0, Math.min(12, line.length())));
            }
            return;
        }
        int start = line.indexOf(PREFIX);
        if (start < 0) {
            return;
        }
        int colon = line.indexOf(": ", start);
        int n = SoakMail.numberInSender(line.substring(start, Math.max(start, colon)));
        if (colon < 0 || n < 0 || n >= mails.size()) {
            return;
        }
        lines++;
        int from = line.indexOf(" from ", start);
        if (from > start) {
            names.computeIfAbsent(n, k -> new HashSet<>()).add(line.substring(start + PREFIX.length(), from));
        }
        String rest = line.substring(colon);
        for (String recipient : mails.get(n).recipients()) {
            for (int at = itemStart(rest, recipient, 0); at >= 0; at = itemStart(rest, recipient, at + 1)) {
                Tally tally = tallies.computeIfAbsent(key(n, SoakMail.user(recipient)), k -> new Tally());
                switch (fateBefore(rest, at)) {
                    case "delivered" -> tally.delivered++;
                    case "bounced" -> tally.bounced++;
                    default -> {
                        if (item(rest, at, mails.get(n)).contains(AFTER_THE_DOT)) {
                            tally.afterDot++;
                        }
                    }
                }
            }
        }
    }

    /** A transcript line: a mail's {@code MAIL FROM} names it; a {@code 250} after the data naming a recipient is a read. */
    private void transcript(String line, int at, List<SoakMail> mails) {
        int space = line.indexOf(' ', at);
        if (space < 0) {
            return;
        }
        String name = line.substring(at, space);
        String rest = line.substring(space);
        if (rest.startsWith(SENT_MAIL_FROM)) {
            int n = SoakMail.numberInSender(rest);
            if (n >= 0 && n < mails.size()) {
                mailOfName.put(name, n);
            }
        } else if (rest.startsWith(READ_250) && mailOfName.containsKey(name)) {
            int open = rest.indexOf('<');
            int close = rest.indexOf('>', open + 1);
            String status = open > 0 ? rest.substring(READ_250.length(), open).strip() : "";
            if (close > open && status.startsWith("2.") && !status.startsWith("2.1.")) { // 2.1.x: MAIL and RCPT
                String user = SoakMail.user(rest.substring(open + 1, close));
                Read read = new Read(micros(line), thread(line));
                tallies.computeIfAbsent(key(mailOfName.get(name), user), k -> new Tally()).reads.add(read);
                lastReadsOfThread.computeIfAbsent(read.thread, k -> new ArrayList<>()).add(read);
            }
        }
    }

    /** The thread of a log line ({@code HH:mm:ss.SSS LEVEL [thread] ...}); empty if none. */
    private static String thread(String line) {
        int open = line.indexOf('[');
        int close = line.indexOf(']', open + 1);
        return open > 0 && close > open ? line.substring(open + 1, close) : "";
    }

    /** The time of a log line ({@code HH:mm:ss.SSS ...}) in microseconds since the epoch, on the run's day or the next. */
    private long micros(String line) {
        LocalDateTime time = start.toLocalDate().atTime(LocalTime.parse(line.substring(0, 12)));
        if (time.isBefore(start.minusMinutes(1))) {
            time = time.plusDays(1);
        }
        Instant instant = time.atZone(ZONE).toInstant();
        return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1000;
    }

    /** Where the item of {@code recipient} starts ({@code [addr } or {@code , addr }), from {@code from}; -1 if none. */
    private static int itemStart(String text, String recipient, int from) {
        int bracket = text.indexOf("[" + recipient + " ", from);
        int comma = text.indexOf(", " + recipient + " ", from);
        if (bracket < 0) {
            return comma;
        }
        return comma < 0 ? bracket : Math.min(bracket, comma);
    }

    /** The fate whose {@code " <fate> ["} comes last before {@code at}. */
    private static String fateBefore(String text, int at) {
        String fate = "";
        int best = -1;
        for (String candidate : FATES) {
            int index = text.lastIndexOf(" " + candidate + " [", at);
            if (index > best) {
                best = index;
                fate = candidate;
            }
        }
        return fate;
    }

    /** The item's text: up to the next item of any recipient of the mail, or the end. */
    private static String item(String text, int at, SoakMail mail) {
        int end = text.length();
        for (String other : mail.recipients()) {
            int next = itemStart(text, other, at + 1);
            if (next > 0 && next < end) {
                end = next;
            }
        }
        return text.substring(at, end);
    }

    static String key(int mail, String user) {
        return mail + " " + user;
    }

    Tally of(int mail, String user) {
        return tallies.getOrDefault(key(mail, user), new Tally());
    }

    /** James's names of mail {@code n} seen in this log's attempt lines. */
    Set<String> names(int n) {
        return names.getOrDefault(n, Set.of());
    }

    /** When this run last handed mail {@code name} back to the queue unattempted (its busy store), if it did. */
    Optional<String> handedBack(String name) {
        return Optional.ofNullable(handedBack.get(name));
    }

    /** Attempt lines of soak mails in this log. */
    int lines() {
        return lines;
    }
}
