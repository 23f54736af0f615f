package dev.jameslmtp.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What one James run's log says of each attempt to the store: LmtpDelivery's one line per attempt
 * ({@code LMTP delivery of mail <name> from soak-<n>@bounces.test: delivered [alice@example.test
 * 250 2.0.0] deferred [bob@example.test 4.4.2 (retry 1/600 in 1 second: lost connection with ...
 * while sending end of data -- message may be sent more than once (...))] via ...}), counted for
 * each mail and user: delivered, deferred after the final dot (RFC 2033's window: the store may
 * have saved the message), bounced.
 */
final class SoakAttempts {

    static final String PREFIX = "LMTP delivery of mail ";
    static final String AFTER_THE_DOT = "while sending end of data -- message may be sent more than once";
    private static final List<String> FATES = List.of("delivered", "deferred", "bounced");

    /** The counts of one mail and user in one run. */
    static final class Tally {
        int delivered;
        int afterDot;
        int bounced;
    }

    private static final String HANDED_BACK = " goes back on the queue for ";

    private final Map<String, Tally> tallies = new HashMap<>();
    private final Map<Integer, Set<String>> names = new HashMap<>();
    private final Map<String, String> handedBack = new HashMap<>();
    private int lines;

    /** Reads a run's log; lines of mails that are not the soak's (the DSNs) are skipped. */
    static SoakAttempts read(Path log, List<SoakMail> mails) {
        SoakAttempts attempts = new SoakAttempts();
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
