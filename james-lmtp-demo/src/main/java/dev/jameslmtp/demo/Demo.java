package dev.jameslmtp.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import javax.mail.Message;
import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.Transport;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;

import dev.jameslmtp.client.outcome.Fate;

/**
 * The james-lmtp demo: an in-memory Apache James 3.8.1 whose {@code LmtpDelivery} mailet hands
 * mail over LMTP to a store, by default an embedded one (James's own LMTP server over its
 * in-memory mailboxes), or a real server such as Dovecot with {@code --destination}. It sends a
 * small batch over SMTP, including one unknown recipient, waits (bounded) until every recipient
 * is delivered or bounced, prints each recipient's outcome and the DSN, stops James and returns.
 *
 * <p>Exit status: 0 when the demo ran (whatever the outcomes), 64 on a usage error, 70 when James
 * could not be started.
 */
public final class Demo {

    static final String SENDER_DOMAIN = "sender.test";
    static final String SENDER = "sender@" + SENDER_DOMAIN;
    private static final String QUEUE = "lmtp-demo";
    private static final Duration POLL = Duration.ofMillis(100);

    private final DemoOptions options;
    private final PrintStream out;

    private Demo(DemoOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /**
     * Ends the JVM with the demo's status: James 3.8.1 leaves a non-daemon thread behind after
     * {@code stop()} (its memory mail queue's executor), which would keep the JVM (and
     * {@code mvn exec:java}, which joins non-daemon threads) waiting forever.
     */
    public static void main(String[] args) throws Exception {
        int status = run(args, System.out, System.err);
        System.out.flush();
        System.err.flush();
        System.exit(status);
    }

    /** Runs the demo, printing to {@code out} and {@code err}; returns the exit status, never exits the JVM. */
    public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        DemoOptions options;
        try {
            options = DemoOptions.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            err.println("demo: " + e.getMessage());
            err.print(DemoOptions.USAGE);
            return 64;
        }
        if (options.help()) {
            out.print(DemoOptions.USAGE);
            return 0;
        }
        // James calls System.exit(1) on a startup error unless told not to: never in our JVM
        System.setProperty("james.exit.on.startup.error", "false");
        return new Demo(options, out).run();
    }

    private int run() throws Exception {
        Path workDir = Files.createTempDirectory("james-lmtp-demo-");
        Outcomes outcomes = new Outcomes();
        long started = System.nanoTime();
        DemoJames james;
        try {
            james = DemoJames.start(workDir, options.storeDomain(), options.destination(), lmtpDeliveryParameters(), outcomes);
        } catch (Exception e) {
            WorkDirectory.delete(workDir);
            out.println("demo: James did not start: " + e);
            return 70;
        }
        try (james) {
            prepareAccounts(james);
            printHeader(james);
            List<SentMessage> batch = sendBatch(james.smtpPort());
            out.printf("Sent %d messages over SMTP from %s; waiting up to %d s for every recipient's outcome.%n%n",
                    batch.size(), SENDER, options.patience().toSeconds());
            awaitOutcomes(batch, outcomes, james);
            printOutcomes(batch, outcomes, james, Duration.ofNanos(System.nanoTime() - started));
        } finally {
            WorkDirectory.delete(workDir);
        }
        return 0;
    }

    private Map<String, String> lmtpDeliveryParameters() {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("outgoing", QUEUE);
        parameters.put("delayTime", "2*5 seconds");
        parameters.put("maxRetries", "2");
        parameters.put("onSuccess", "delivered"); // bounces: the mailet's own RFC 3464 DSNs (the default bounceMode)
        parameters.put("connectTimeout", "5 seconds");
        return parameters;
    }

    /** The sender's mailbox (for the DSN); with the embedded store, the recipients' accounts too. */
    private void prepareAccounts(DemoJames james) throws Exception {
        james.addDomain(SENDER_DOMAIN);
        james.addUser(SENDER, "demo");
        if (options.destination().isEmpty()) {
            james.addDomain(options.storeDomain());
            for (String recipient : options.recipients()) {
                if (!DemoOptions.localPartOf(recipient).equals(DemoOptions.UNKNOWN_USER)) {
                    james.addUser(recipient, "demo");
                }
            }
        }
    }

    private void printHeader(DemoJames james) {
        out.println("james-lmtp demo");
        out.printf("  Apache James 3.8.1, in memory: SMTP on 127.0.0.1:%d%n", james.smtpPort());
        if (james.storePort().isPresent()) {
            out.printf("  LmtpDelivery -> inet:127.0.0.1:%d: the embedded LMTP store "
                    + "(James's LMTP server over its in-memory mailboxes)%n", james.storePort().get());
        } else {
            out.printf("  LmtpDelivery -> %s%n", options.destination().get());
        }
        out.println();
    }

    private record SentMessage(int number, String subject, List<String> recipients, String messageId) {
    }

    /** Three messages: to the first two recipients, to everyone (the unknown one too), to the first. */
    private List<SentMessage> sendBatch(int smtpPort) throws MessagingException {
        List<String> all = options.recipients();
        List<List<String>> recipientLists = List.of(all.subList(0, Math.min(2, all.size())), all, all.subList(0, 1));
        List<String> subjects = List.of("Welcome to the store", "Quarterly report", "Lunch?");
        Properties properties = new Properties();
        properties.put("mail.smtp.host", "127.0.0.1");
        properties.put("mail.smtp.port", String.valueOf(smtpPort));
        properties.put("mail.smtp.localhost", SENDER_DOMAIN);
        properties.put("mail.smtp.connectiontimeout", "10000");
        properties.put("mail.smtp.timeout", "10000");
        Session session = Session.getInstance(properties);
        List<SentMessage> sent = new ArrayList<>();
        for (int i = 0; i < subjects.size(); i++) {
            MimeMessage message = new MimeMessage(session);
            message.setFrom(new InternetAddress(SENDER));
            for (String recipient : recipientLists.get(i)) {
                message.addRecipient(Message.RecipientType.TO, new InternetAddress(recipient));
            }
            message.setSubject(subjects.get(i));
            message.setText("Message " + (i + 1) + " of the james-lmtp demo.\n.A line starting with a dot.\n",
                    StandardCharsets.UTF_8.name());
            Transport.send(message);
            sent.add(new SentMessage(i + 1, subjects.get(i), recipientLists.get(i), message.getMessageID()));
        }
        return sent;
    }

    /**
     * Until every recipient is delivered (seen by {@link OutcomeRecorder} in LmtpDelivery's
     * {@code onSuccess} processor) or bounced (named as failed in a DSN in the sender's INBOX), or
     * the patience runs out.
     */
    private void awaitOutcomes(List<SentMessage> batch, Outcomes outcomes, DemoJames james) throws InterruptedException {
        long deadline = System.nanoTime() + options.patience().toNanos();
        while (System.nanoTime() < deadline && !allKnown(batch, outcomes)) {
            recordBounces(dsns(james), outcomes);
            if (allKnown(batch, outcomes)) {
                return;
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** Each recipient a DSN reports as failed is bounced, with the store's reply from its {@code Diagnostic-Code}. */
    private static void recordBounces(List<DsnReading> dsns, Outcomes outcomes) {
        for (DsnReading dsn : dsns) {
            for (DsnReading.Recipient recipient : dsn.recipients()) {
                if (recipient.action().equalsIgnoreCase("failed") && dsn.messageId().isPresent()) {
                    outcomes.record(new Outcomes.Outcome(dsn.messageId().get(), recipient.address(), Fate.BOUNCED,
                            recipient.diagnostic()));
                }
            }
        }
    }

    /** The DSNs in the sender's INBOX, as a DSN parser reads them. */
    private static List<DsnReading> dsns(DemoJames james) {
        List<DsnReading> dsns = new ArrayList<>();
        for (byte[] message : james.inbox(SENDER)) {
            try {
                DsnReading.parse(message).ifPresent(dsns::add);
            } catch (MessagingException | IOException e) {
                // not a DSN: the demo's sender receives nothing else
            }
        }
        return dsns;
    }

    private static boolean allKnown(List<SentMessage> batch, Outcomes outcomes) {
        return batch.stream().allMatch(message -> message.recipients().stream()
                .allMatch(recipient -> outcomes.of(message.messageId(), recipient).isPresent()));
    }

    private void printOutcomes(List<SentMessage> batch, Outcomes outcomes, DemoJames james, Duration elapsed) {
        int delivered = 0;
        int deferred = 0;
        int bounced = 0;
        int width = options.recipients().stream().mapToInt(String::length).max().orElse(20) + 2;
        for (SentMessage message : batch) {
            out.printf("Message %d \"%s\"%n", message.number(), message.subject());
            for (String recipient : message.recipients()) {
                Optional<Outcomes.Outcome> outcome = outcomes.of(message.messageId(), recipient);
                String line;
                if (outcome.isEmpty()) {
                    deferred++;
                    line = "deferred   (still queued for a retry after " + options.patience().toSeconds() + " s)";
                } else if (outcome.get().fate() == Fate.DELIVERED) {
                    delivered++;
                    line = "delivered";
                } else {
                    bounced++;
                    line = "bounced    " + outcome.get().error().orElse("(no error text)");
                }
                out.printf("  %-" + width + "s%s%n", recipient, line);
            }
        }
        out.println();
        if (james.storePort().isPresent()) {
            out.println("In the embedded store:");
            for (String recipient : options.recipients()) {
                if (!DemoOptions.localPartOf(recipient).equals(DemoOptions.UNKNOWN_USER)) {
                    out.printf("  %-" + width + "sINBOX holds %d message(s)%n", recipient, james.inbox(recipient).size());
                }
            }
            out.println();
        }
        printDsns(james, batch);
        out.printf("Summary: %d delivered, %d deferred, %d bounced in %.1f s%n",
                delivered, deferred, bounced, elapsed.toMillis() / 1000.0);
    }

    /** Each DSN the mailet wrote to the sender's INBOX, field by field as a DSN parser reads it. */
    private void printDsns(DemoJames james, List<SentMessage> batch) {
        List<DsnReading> dsns = dsns(james);
        if (dsns.isEmpty()) {
            return;
        }
        out.printf("Delivery status notifications in %s's INBOX (RFC 3464, from LmtpDelivery), as a DSN parser reads them:%n", SENDER);
        for (DsnReading dsn : dsns) {
            String about = batch.stream().filter(message -> dsn.messageId().filter(message.messageId()::equals).isPresent())
                    .map(message -> "message " + message.number() + " \"" + message.subject() + "\"").findFirst()
                    .orElse(dsn.messageId().orElse("a message"));
            out.printf("  DSN about %s (Reporting-MTA: %s)%n", about, dsn.reportingMta());
            for (DsnReading.Recipient recipient : dsn.recipients()) {
                out.printf("    Final-Recipient: %s%n", recipient.finalRecipient());
                out.printf("      Action: %s%n", recipient.action());
                out.printf("      Status: %s%n", recipient.status());
                recipient.remoteMta().ifPresent(mta -> out.printf("      Remote-MTA: %s%n", mta));
                recipient.diagnosticCode().ifPresent(code -> out.printf("      Diagnostic-Code: %s%n", code));
            }
        }
        out.println();
    }
}
