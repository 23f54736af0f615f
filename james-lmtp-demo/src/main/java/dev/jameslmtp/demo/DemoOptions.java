package dev.jameslmtp.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The demo's options, from the command line, else system properties ({@code -Ddestination=...},
 * handy with {@code mvn exec:java}), else the environment ({@code LMTP_DESTINATION}).
 *
 * @param destination  an external LMTP server (e.g. a Dovecot), or empty for the embedded store
 * @param recipients   who the batch goes to; with the embedded store, every one of them except
 *                     the local part {@value #UNKNOWN_USER} gets an account
 * @param patience     how long to wait for every recipient's outcome before calling it deferred
 */
record DemoOptions(Optional<String> destination, List<String> recipients, Duration patience, boolean help) {

    static final String UNKNOWN_USER = "nobody";
    static final String USAGE = """
            Usage: Demo [--destination DEST] [--recipients a@x,b@y,...] [--wait SECONDS]

            Starts an in-memory Apache James 3.8.1 with the LmtpDelivery mailet, sends a small batch
            of mail to it over SMTP and prints what happened to each recipient.

              --destination DEST  deliver to this LMTP server instead of the embedded store,
                                  e.g. inet:127.0.0.1:24 or unix:/run/dovecot/lmtp
                                  (also -Ddestination=DEST or LMTP_DESTINATION=DEST)
              --recipients LIST   comma-separated recipients; default alice, bob, carol and
                                  nobody (unknown) @example.test (also -Drecipients=LIST)
              --wait SECONDS      how long to wait for the outcomes; default 30 (also -Dwait=N)

            Examples:
              mvn -q -pl james-lmtp-demo exec:java
              mvn -q -pl james-lmtp-demo exec:java -Ddestination=unix:/run/dovecot/lmtp
            """;
    private static final List<String> DEFAULT_RECIPIENTS = List.of(
            "alice@example.test", "bob@example.test", "carol@example.test", UNKNOWN_USER + "@example.test");

    static DemoOptions parse(String[] args, Map<String, String> environment) {
        Optional<String> destination = nonBlank(System.getProperty("destination"))
                .or(() -> nonBlank(environment.get("LMTP_DESTINATION")));
        Optional<String> recipients = nonBlank(System.getProperty("recipients"));
        Optional<String> wait = nonBlank(System.getProperty("wait"));
        boolean help = false;
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        while (!rest.isEmpty()) {
            String option = rest.remove(0);
            switch (option) {
                case "--destination" -> destination = Optional.of(value(option, rest));
                case "--recipients" -> recipients = Optional.of(value(option, rest));
                case "--wait" -> wait = Optional.of(value(option, rest));
                case "-h", "--help" -> help = true;
                default -> throw new IllegalArgumentException("unknown option: " + option);
            }
        }
        List<String> recipientList = recipients
                .map(list -> Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList())
                .orElse(DEFAULT_RECIPIENTS);
        if (recipientList.isEmpty() || recipientList.stream().anyMatch(r -> r.indexOf('@') <= 0)) {
            throw new IllegalArgumentException("--recipients: expected user@domain,...: " + recipientList);
        }
        String storeDomain = domainOf(recipientList.get(0));
        if (recipientList.stream().anyMatch(r -> !domainOf(r).equalsIgnoreCase(storeDomain))) {
            throw new IllegalArgumentException("--recipients: all recipients must be in one domain (" + storeDomain + ")");
        }
        Duration waitDuration = wait.map(DemoOptions::seconds).orElse(Duration.ofSeconds(30));
        return new DemoOptions(destination, recipientList, waitDuration, help);
    }

    String storeDomain() {
        return domainOf(recipients.get(0));
    }

    static String domainOf(String address) {
        return address.substring(address.indexOf('@') + 1);
    }

    static String localPartOf(String address) {
        return address.substring(0, address.indexOf('@'));
    }

    private static Duration seconds(String text) {
        try {
            long seconds = Long.parseLong(text);
            if (seconds <= 0 || seconds > 3600) {
                throw new IllegalArgumentException("--wait: between 1 and 3600 seconds: " + text);
            }
            return Duration.ofSeconds(seconds);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--wait: a number of seconds: " + text, e);
        }
    }

    private static String value(String option, List<String> rest) {
        if (rest.isEmpty() || rest.get(0).startsWith("--")) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return rest.remove(0);
    }

    private static Optional<String> nonBlank(String value) {
        return Optional.ofNullable(value).map(String::trim).filter(s -> !s.isEmpty());
    }
}
