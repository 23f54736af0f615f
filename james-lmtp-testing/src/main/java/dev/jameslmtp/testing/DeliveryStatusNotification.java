package dev.jameslmtp.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

import javax.mail.BodyPart;
import javax.mail.Header;
import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.ContentType;
import javax.mail.internet.InternetHeaders;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

/**
 * A delivery status notification read as RFC 3464 defines it, so that tests check its structure
 * rather than grep its text: a {@code multipart/report; report-type=delivery-status} of a
 * human-readable part, a {@code message/delivery-status} part (one group of per-message fields,
 * then one group per recipient, groups separated by a blank line) and optionally the returned
 * message. {@link #parse} throws {@link IllegalArgumentException} when the message is not shaped so,
 * or when a group repeats a field.
 */
public final class DeliveryStatusNotification {

    private final MimeMessage message;
    private final MimeMultipart report;
    private final Map<String, String> perMessage;
    private final List<Map<String, String>> perRecipient;

    private DeliveryStatusNotification(MimeMessage message, MimeMultipart report, Map<String, String> perMessage,
                                       List<Map<String, String>> perRecipient) {
        this.message = message;
        this.report = report;
        this.perMessage = perMessage;
        this.perRecipient = perRecipient;
    }

    public static DeliveryStatusNotification parse(byte[] bytes) throws MessagingException, IOException {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(bytes));
        ContentType type = new ContentType(message.getContentType());
        if (!type.match("multipart/report") || !"delivery-status".equalsIgnoreCase(type.getParameter("report-type"))) {
            throw new IllegalArgumentException("not a multipart/report; report-type=delivery-status: " + message.getContentType());
        }
        MimeMultipart report = (MimeMultipart) message.getContent();
        if (report.getCount() < 2 || report.getCount() > 3) {
            throw new IllegalArgumentException("a DSN has 2 or 3 parts, not " + report.getCount());
        }
        BodyPart status = report.getBodyPart(1);
        if (!new ContentType(status.getContentType()).match("message/delivery-status")) {
            throw new IllegalArgumentException("second part is " + status.getContentType() + ", not message/delivery-status");
        }
        byte[] fields;
        try (InputStream in = status.getInputStream()) {
            fields = in.readAllBytes();
        }
        List<Map<String, String>> groups = groups(fields);
        if (groups.size() < 2) {
            throw new IllegalArgumentException("message/delivery-status has no per-recipient fields");
        }
        return new DeliveryStatusNotification(message, report, groups.get(0), List.copyOf(groups.subList(1, groups.size())));
    }

    private static List<Map<String, String>> groups(byte[] fields) throws MessagingException {
        ByteArrayInputStream in = new ByteArrayInputStream(fields);
        List<Map<String, String>> groups = new ArrayList<>();
        while (in.available() > 0) {
            InternetHeaders headers = new InternetHeaders(in);
            Map<String, String> group = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (Header header : Collections.list(headers.getAllHeaders())) {
                if (group.put(header.getName(), header.getValue().strip()) != null) {
                    throw new IllegalArgumentException("field " + header.getName() + " twice in one group");
                }
            }
            if (!group.isEmpty()) {
                groups.add(Collections.unmodifiableMap(group));
            }
        }
        return groups;
    }

    public MimeMessage message() {
        return message;
    }

    /** Reporting-MTA, Arrival-Date... (field names case-insensitive). */
    public Map<String, String> perMessage() {
        return perMessage;
    }

    /** One map per recipient, in order. */
    public List<Map<String, String>> perRecipient() {
        return perRecipient;
    }

    /** The fields of the recipient whose {@code Final-Recipient} is {@code rfc822; address}. */
    public Optional<Map<String, String>> recipient(String address) {
        return perRecipient.stream()
                .filter(fields -> ("rfc822; " + address).equalsIgnoreCase(fields.getOrDefault("Final-Recipient", "").replaceAll(";\\s*", "; ")))
                .findFirst();
    }

    public String humanReadable() throws MessagingException, IOException {
        return (String) report.getBodyPart(0).getContent();
    }

    /** The returned message's part ({@code message/rfc822} or {@code text/rfc822-headers}), if any. */
    public Optional<BodyPart> returned() throws MessagingException {
        return report.getCount() == 3 ? Optional.of(report.getBodyPart(2)) : Optional.empty();
    }
}
