package dev.jameslmtp.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One mail of the soak: number {@code n}, its own envelope sender {@code soak-<n>@bounces.test} (so
 * that James's log line of every attempt, and every DSN, names the mail), its own Message-ID
 * {@code <soak-<n>@soak.test>}, and one to four recipients at the store: alice or bob or both (who
 * receive it), carol (whose quota is smaller than any mail: {@code 552} after the dot) and nobody
 * (unknown: {@code 550} at RCPT). The body has a line starting with a dot.
 */
record SoakMail(int n, List<String> recipients) {

    static final List<String> RECEIVERS = List.of("alice", "bob");
    static final String OVER_QUOTA = "carol";
    static final String UNKNOWN = "nobody";
    private static final Pattern MESSAGE_ID = Pattern.compile("^Message-ID: <soak-(\\d+)@soak\\.test>", Pattern.MULTILINE);
    private static final Pattern SENDER = Pattern.compile("soak-(\\d+)@" + Pattern.quote(SoakJames.BOUNCE_DOMAIN));

    SoakMail {
        recipients = List.copyOf(recipients);
    }

    /**
     * The {@code count} mails of a run, the same for the same seed: to alice, bob or both (every
     * one to both when {@code bothReceivers}), some also to carol or nobody.
     */
    static List<SoakMail> generate(int count, long seed, boolean bothReceivers) {
        Random random = new Random(seed);
        List<SoakMail> mails = new ArrayList<>(count);
        for (int n = 0; n < count; n++) {
            List<String> users = new ArrayList<>();
            int receivers = random.nextInt(3); // drawn in both mixes: carol and nobody fall on the same mails
            switch (bothReceivers ? 2 : receivers) {
                case 0 -> users.add("alice");
                case 1 -> users.add("bob");
                default -> users.addAll(RECEIVERS);
            }
            if (random.nextInt(10) == 0) {
                users.add(OVER_QUOTA);
            }
            if (random.nextInt(10) == 0) {
                users.add(random.nextInt(users.size() + 1), UNKNOWN);
            }
            mails.add(new SoakMail(n, users.stream().map(SoakMail::address).toList()));
        }
        return mails;
    }

    static String address(String user) {
        return user + "@" + SoakJames.STORE_DOMAIN;
    }

    static String user(String address) {
        return address.substring(0, address.indexOf('@'));
    }

    String sender() {
        return "soak-" + n + "@" + SoakJames.BOUNCE_DOMAIN;
    }

    /** The recipients that must end in their Maildir exactly once. */
    List<String> receivers() {
        return recipients.stream().filter(r -> RECEIVERS.contains(user(r))).toList();
    }

    /** The recipients that must be named in a DSN and stored nowhere. */
    List<String> refused() {
        return recipients.stream().filter(r -> !RECEIVERS.contains(user(r))).toList();
    }

    String text() {
        return String.join("\r\n",
                "From: " + sender(),
                "To: " + String.join(", ", recipients),
                "Subject: soak " + n,
                "Message-ID: <soak-" + n + "@soak.test>",
                "MIME-Version: 1.0",
                "Content-Type: text/plain; charset=us-ascii",
                "",
                "Soak mail " + n + ".",
                ".a line that starts with a dot",
                "x".repeat(200),
                "");
    }

    /** The mail number in a stored message's Message-ID header, or -1. */
    static int numberInMessageId(String headers) {
        Matcher m = MESSAGE_ID.matcher(headers);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** The mail number of a soak sender address found in {@code text}, or -1. */
    static int numberInSender(String text) {
        Matcher m = SENDER.matcher(text);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }
}
