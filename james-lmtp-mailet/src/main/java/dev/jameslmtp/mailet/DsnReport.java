package dev.jameslmtp.mailet;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import javax.activation.DataHandler;
import javax.mail.MessagingException;
import javax.mail.internet.ContentType;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeBodyPart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;
import javax.mail.util.ByteArrayDataSource;

import org.apache.james.core.MailAddress;

import dev.jameslmtp.client.wire.EnhancedStatus;

/**
 * One RFC 3464 delivery status notification: a {@code multipart/report; report-type=delivery-status}
 * message of three parts, as Postfix writes them:
 * <ol>
 *   <li>{@code text/plain}: what happened, for a person, one line per recipient;</li>
 *   <li>{@code message/delivery-status}: {@code Reporting-MTA}, {@code Original-Envelope-Id} (when
 *   the sender gave ENVID) and {@code Arrival-Date}; then per recipient {@code Final-Recipient},
 *   {@code Original-Recipient} (when ORCPT is known), {@code Action}, {@code Status} (the bare
 *   enhanced code), {@code Remote-MTA} (when the store replied), {@code Diagnostic-Code} and
 *   {@code Last-Attempt-Date};</li>
 *   <li>the returned message: {@code message/rfc822}, or {@code text/rfc822-headers} for
 *   {@link Returned#HEADERS} and for a message larger than {@value #RETURN_LIMIT} bytes.</li>
 * </ol>
 * Every field value, and every line of the first part, is US-ASCII (other characters become
 * {@code ?}) on one line, with
 * {@code Diagnostic-Code} cut to {@value #MAX_DIAGNOSTIC} characters, so the report stays a valid
 * {@code message/delivery-status} whatever a store replies. Immutable.
 */
record DsnReport(String reportingMta, InternetAddress from, MailAddress to, Optional<String> envelopeId, Instant arrival,
                 Instant lastAttempt, List<Entry> entries, Returned returned) {

    static final int MAX_DIAGNOSTIC = 900;
    /** Above this size only the header is returned, as Postfix's {@code bounce_size_limit} (50000). */
    static final int RETURN_LIMIT = 50_000;
    private static final DateTimeFormatter RFC5322 = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.US)
            .withZone(ZoneOffset.UTC);
    private static final String CRLF = "\r\n";

    /** RFC 3464 §2.3.3, for the three that this mailet reports (an LMTP store is final delivery: never "relayed"). */
    enum Action {
        FAILED, DELAYED, DELIVERED;

        String field() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What comes back of the original message: all of it (RET=FULL) or its header (RET=HDRS, and delay warnings). */
    enum Returned { FULL, HEADERS }

    /**
     * One recipient's fields.
     *
     * @param remoteMta      {@code "dns; host"} or {@code "x-unix; /path"}, present when the store replied
     * @param diagnosticCode {@code "smtp; 550 5.1.1 ..."} or {@code "x-james-lmtp; connect to ...: Connection refused"}
     * @param explanation    the line of the human-readable part
     */
    record Entry(MailAddress finalRecipient, Optional<MailAddress> originalRecipient, Action action, EnhancedStatus status,
                 Optional<String> remoteMta, String diagnosticCode, String explanation) {
        Entry {
            Objects.requireNonNull(finalRecipient, "finalRecipient");
            Objects.requireNonNull(originalRecipient, "originalRecipient");
            Objects.requireNonNull(action, "action");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(remoteMta, "remoteMta");
            Objects.requireNonNull(diagnosticCode, "diagnosticCode");
            Objects.requireNonNull(explanation, "explanation");
        }
    }

    DsnReport {
        Objects.requireNonNull(reportingMta, "reportingMta");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(envelopeId, "envelopeId");
        Objects.requireNonNull(arrival, "arrival");
        Objects.requireNonNull(lastAttempt, "lastAttempt");
        entries = List.copyOf(entries);
        Objects.requireNonNull(returned, "returned");
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("a DSN reports at least one recipient");
        }
    }

    boolean reportsFailure() {
        return entries.stream().anyMatch(entry -> entry.action() == Action.FAILED);
    }

    private boolean reportsOnly(Action action) {
        return entries.stream().allMatch(entry -> entry.action() == action);
    }

    String subject() {
        if (reportsFailure()) {
            return "Undelivered Mail Returned to Sender";
        }
        return reportsOnly(Action.DELIVERED) ? "Successful Mail Delivery Report" : "Delayed Mail (still being retried)";
    }

    /** The body of the {@code message/delivery-status} part. */
    String deliveryStatus() {
        StringBuilder text = new StringBuilder();
        field(text, "Reporting-MTA", "dns; " + reportingMta);
        envelopeId.ifPresent(id -> field(text, "Original-Envelope-Id", id));
        field(text, "Arrival-Date", RFC5322.format(arrival));
        for (Entry entry : entries) {
            text.append(CRLF);
            field(text, "Final-Recipient", "rfc822; " + entry.finalRecipient().asString());
            entry.originalRecipient().ifPresent(original -> field(text, "Original-Recipient", "rfc822; " + original.asString()));
            field(text, "Action", entry.action().field());
            field(text, "Status", entry.status().toString());
            entry.remoteMta().ifPresent(mta -> field(text, "Remote-MTA", mta));
            field(text, "Diagnostic-Code", cut(entry.diagnosticCode(), MAX_DIAGNOSTIC));
            field(text, "Last-Attempt-Date", RFC5322.format(lastAttempt));
        }
        return text.toString();
    }

    /** The human-readable first part. */
    String explanation() {
        StringBuilder text = new StringBuilder();
        text.append("This is the mail system at host ").append(ascii(reportingMta)).append('.').append(CRLF).append(CRLF);
        if (reportsFailure()) {
            text.append("I'm sorry to have to inform you that your message could not be delivered to one or more").append(CRLF)
                    .append("recipients. It's attached below.").append(CRLF).append(CRLF)
                    .append("For further assistance, please send mail to the postmaster. If you do so, please include").append(CRLF)
                    .append("this problem report.").append(CRLF);
        } else if (reportsOnly(Action.DELIVERED)) {
            text.append("Your message was successfully delivered to the destination(s) listed below, the mailbox").append(CRLF)
                    .append("store of each recipient: you will receive no further notifications about them.").append(CRLF);
        } else {
            text.append("####################################################################").append(CRLF)
                    .append("# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #").append(CRLF)
                    .append("####################################################################").append(CRLF).append(CRLF)
                    .append("Your message could not be delivered yet to the recipients below. The mail system will keep").append(CRLF)
                    .append("trying, and will tell you if it finally gives up.").append(CRLF);
        }
        for (Action action : Action.values()) {
            List<Entry> withAction = entries.stream().filter(entry -> entry.action() == action).toList();
            if (!withAction.isEmpty()) {
                text.append(CRLF).append(switch (action) {
                    case FAILED -> "Could not be delivered:";
                    case DELAYED -> "Delayed:";
                    case DELIVERED -> "Delivered:";
                }).append(CRLF).append(CRLF);
                withAction.forEach(entry -> text.append('<').append(ascii(entry.finalRecipient().asString())).append(">: ")
                        .append(ascii(entry.explanation())).append(CRLF));
            }
        }
        return text.toString();
    }

    /** The whole notification, ready to be sent from the null sender to {@link #to}. */
    MimeMessage message(MimeMessage original) throws MessagingException {
        MimeMessage message = MailerDaemon.message(reportingMta, from, to, subject(), "US-ASCII", lastAttempt, "auto-replied");

        MimeBodyPart human = new MimeBodyPart();
        human.setText(explanation(), "US-ASCII");
        human.setDescription("Notification");

        MimeBodyPart status = new MimeBodyPart();
        status.setDataHandler(new DataHandler(new ByteArrayDataSource(deliveryStatus().getBytes(StandardCharsets.US_ASCII),
                "message/delivery-status")));
        status.setDescription("Delivery report");

        MimeBodyPart returnedPart = new MimeBodyPart();
        Optional<byte[]> whole = returned == Returned.FULL ? bytes(original, RETURN_LIMIT) : Optional.empty();
        if (whole.isPresent()) {
            returnedPart.setDataHandler(new DataHandler(new ByteArrayDataSource(whole.get(), "message/rfc822")));
            returnedPart.setDescription("Undelivered Message");
        } else {
            returnedPart.setDataHandler(new DataHandler(new ByteArrayDataSource(headers(original), "text/rfc822-headers")));
            returnedPart.setDescription(reportsFailure() ? "Undelivered Message Headers"
                    : reportsOnly(Action.DELIVERED) ? "Delivered Message Headers" : "Delayed Message Headers");
        }

        MimeMultipart report = new ReportMultipart();
        report.addBodyPart(human);
        report.addBodyPart(status);
        report.addBodyPart(returnedPart);
        message.setContent(report);
        message.saveChanges();
        return message;
    }

    /** The whole message, or empty when it is larger than {@code limit} bytes. */
    private static Optional<byte[]> bytes(MimeMessage original, int limit) throws MessagingException {
        BoundedOutputStream out = new BoundedOutputStream(limit);
        try {
            original.writeTo(out);
            return Optional.of(out.toByteArray());
        } catch (BoundedOutputStream.LimitReached e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new MessagingException("cannot read the message to return it", e);
        }
    }

    /** Collects at most {@code limit} bytes; one more throws {@link LimitReached}. */
    private static final class BoundedOutputStream extends ByteArrayOutputStream {
        private final int limit;

        BoundedOutputStream(int limit) {
            this.limit = limit;
        }

        @Override
        public synchronized void write(int b) {
            check(1);
            super.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            check(len);
            super.write(b, off, len);
        }

        private void check(int more) {
            if (count + more > limit) {
                throw new LimitReached();
            }
        }

        static final class LimitReached extends RuntimeException {
            private static final long serialVersionUID = 1L;

            LimitReached() {
                super(null, null, false, false);
            }
        }
    }

    private static byte[] headers(MimeMessage original) throws MessagingException {
        StringBuilder text = new StringBuilder();
        for (String line : Collections.list(original.getAllHeaderLines())) {
            text.append(line).append(CRLF);
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void field(StringBuilder text, String name, String value) {
        text.append(name).append(": ").append(ascii(value)).append(CRLF);
    }

    /** Printable US-ASCII on one line: anything else becomes '?'. */
    static String ascii(String value) {
        StringBuilder out = new StringBuilder(value.length());
        value.codePoints().forEach(c -> out.append(c >= 0x20 && c < 0x7f ? (char) c : '?'));
        return out.toString();
    }

    private static String cut(String value, int limit) {
        return value.length() <= limit ? value : value.substring(0, limit - 3) + "...";
    }

    /** {@code multipart/report; report-type=delivery-status} (RFC 6522). */
    private static final class ReportMultipart extends MimeMultipart {
        ReportMultipart() throws MessagingException {
            super("report");
            ContentType type = new ContentType(contentType);
            type.setParameter("report-type", "delivery-status");
            contentType = type.toString();
        }
    }
}
