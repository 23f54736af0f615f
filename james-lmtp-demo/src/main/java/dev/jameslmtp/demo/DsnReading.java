package dev.jameslmtp.demo;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import javax.mail.BodyPart;
import javax.mail.MessagingException;
import javax.mail.Multipart;
import javax.mail.Session;
import javax.mail.internet.ContentType;
import javax.mail.internet.InternetHeaders;
import javax.mail.internet.MimeMessage;

/**
 * A delivery status notification read as a DSN parser reads it (RFC 3464 over RFC 6522): a
 * {@code multipart/report; report-type=delivery-status} whose {@code message/delivery-status} part
 * holds one group of fields for the message and one per recipient, and whose third part returns
 * the message (or its header) that the DSN is about. Only what the demo prints.
 *
 * @param messageId  the {@code Message-ID} of the message reported on, from the returned part
 * @param reportingMta the per-message {@code Reporting-MTA}
 * @param recipients one entry per recipient group, in order
 */
record DsnReading(Optional<String> messageId, String reportingMta, List<Recipient> recipients) {

    /** One recipient group: each field as written (type prefixes such as {@code rfc822;} kept). */
    record Recipient(String finalRecipient, String action, String status, Optional<String> remoteMta, Optional<String> diagnosticCode) {

        /** The address of {@code Final-Recipient}, without its address type. */
        String address() {
            return withoutType(finalRecipient);
        }

        /** The store's reply of {@code Diagnostic-Code}, without its diagnostic type. */
        Optional<String> diagnostic() {
            return diagnosticCode.map(DsnReading::withoutType);
        }
    }

    /**
     * Reads {@code bytes}; empty when they are not a delivery status notification.
     *
     * @throws MessagingException when they are not a MIME message at all
     */
    static Optional<DsnReading> parse(byte[] bytes) throws MessagingException, IOException {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(bytes));
        ContentType type = new ContentType(message.getContentType());
        if (!type.match("multipart/report") || !"delivery-status".equalsIgnoreCase(type.getParameter("report-type"))
                || !(message.getContent() instanceof Multipart report) || report.getCount() < 2) {
            return Optional.empty();
        }
        BodyPart status = report.getBodyPart(1);
        if (!new ContentType(status.getContentType()).match("message/delivery-status")) {
            return Optional.empty();
        }
        List<InternetHeaders> groups = groups(status.getInputStream());
        if (groups.isEmpty()) {
            return Optional.empty();
        }
        List<Recipient> recipients = new ArrayList<>();
        for (InternetHeaders group : groups.subList(1, groups.size())) {
            recipients.add(new Recipient(field(group, "Final-Recipient").orElse(""), field(group, "Action").orElse(""),
                    field(group, "Status").orElse(""), field(group, "Remote-MTA"), field(group, "Diagnostic-Code")));
        }
        Optional<String> messageId = Optional.empty();
        if (report.getCount() > 2) {
            try (InputStream returned = report.getBodyPart(2).getInputStream()) {
                messageId = Optional.ofNullable(new InternetHeaders(returned).getHeader("Message-ID", null)).map(String::strip);
            }
        }
        return Optional.of(new DsnReading(messageId, field(groups.get(0), "Reporting-MTA").orElse(""),
                Collections.unmodifiableList(recipients)));
    }

    /** The groups of fields of a {@code message/delivery-status} body, separated by blank lines. */
    private static List<InternetHeaders> groups(InputStream body) throws IOException, MessagingException {
        String text;
        try (body) {
            text = new String(body.readAllBytes(), StandardCharsets.US_ASCII);
        }
        List<InternetHeaders> groups = new ArrayList<>();
        for (String group : text.replace("\r\n", "\n").split("\n\\s*\n")) {
            if (!group.isBlank()) {
                groups.add(new InternetHeaders(new ByteArrayInputStream((group.strip() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII))));
            }
        }
        return groups;
    }

    private static Optional<String> field(InternetHeaders group, String name) {
        return Optional.ofNullable(group.getHeader(name, " ")).map(value -> value.replaceAll("\\s+", " ").strip());
    }

    private static String withoutType(String field) {
        int semicolon = field.indexOf(';');
        return semicolon < 0 ? field : field.substring(semicolon + 1).strip();
    }
}
