package dev.jameslmtp.mailet.attempt;

import java.util.Collection;
import java.util.stream.Collectors;

import org.apache.mailet.Mail;
import org.slf4j.MDC;

import dev.jameslmtp.client.wire.Transcript;

/**
 * The SLF4J MDC of an attempt, on every log line written while it runs: James's own
 * {@value #MAIL}, {@value #SENDER} and {@value #RECIPIENTS} of the mail taken off the queue
 * ({@link #mail}), {@value #QUEUE}, the mailet's queue, and {@value #DESTINATION}, the LMTP
 * destination (several, comma-separated, for a mail that reaches more than one; during each
 * exchange, that exchange's). Every value is {@link Transcript#neutralise neutralised}: an address
 * may hold controls, line separators or bidirectional marks in its quoted local part. Closing puts
 * back what the keys held before.
 */
public final class AttemptMdc implements AutoCloseable {

    public static final String QUEUE = "queue";
    public static final String DESTINATION = "destination";
    static final String MAIL = "mail";
    static final String SENDER = "sender";
    static final String RECIPIENTS = "recipients";

    private final String key;
    private final String previous;
    private final AttemptMdc outer;

    private AttemptMdc(String key, String value, AttemptMdc outer) {
        this.key = key;
        this.previous = MDC.get(key);
        this.outer = outer;
        MDC.put(key, Transcript.neutralise(value));
    }

    /** For the whole attempt: James's keys of the mail taken off the queue (name, sender, recipients), the queue and the destinations. */
    static AttemptMdc open(Mail mail, String queue, Collection<String> destinations) {
        return new AttemptMdc(DESTINATION, destinations.stream().distinct().collect(Collectors.joining(", ")),
                new AttemptMdc(QUEUE, queue, new AttemptMdc(RECIPIENTS, mail.getRecipients().toString(),
                        new AttemptMdc(SENDER, mail.getMaybeSender().asString(), new AttemptMdc(MAIL, mail.getName(), null)))));
    }

    /** For one exchange inside the attempt. */
    static AttemptMdc destination(String destination) {
        return new AttemptMdc(DESTINATION, destination, null);
    }

    @Override
    public void close() {
        if (previous == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, previous);
        }
        if (outer != null) {
            outer.close();
        }
    }
}
