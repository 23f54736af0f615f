package dev.jameslmtp.mailet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory of delivery journals of one LmtpDelivery ({@code journalDirectory}): one file per
 * queued mail that is in an attempt, or was when James died, named by the journal id the mail
 * carries (attribute {@value #ID}, new for every copy put on the queue: at {@code service}, and for
 * each put-back of deferred recipients). The file is removed once the queue item is acknowledged,
 * so the directory is normally empty while James is idle. See {@link MailJournal}.
 */
final class DeliveryJournal {

    static final String ID = "lmtp-delivery-journal";
    private static final AttributeName ID_NAME = AttributeName.of(ID);
    private static final Pattern ID_SYNTAX = Pattern.compile("[A-Za-z0-9-]{1,64}");
    private static final Logger LOGGER = LoggerFactory.getLogger(DeliveryJournal.class);

    private final Path directory;
    private volatile Consumer<String> beforeWrite = line -> { };

    private DeliveryJournal(Path directory) {
        this.directory = directory;
    }

    /**
     * Creates the directory if needed and checks that a file can be written there.
     *
     * @throws IOException when it cannot be created or written
     */
    static DeliveryJournal open(Path directory) throws IOException {
        Files.createDirectories(directory);
        Path probe = Files.createTempFile(directory, ".probe-", ".tmp");
        Files.delete(probe);
        return new DeliveryJournal(directory);
    }

    Path directory() {
        return directory;
    }

    /** Gives {@code copy} a journal id of its own: call it on every copy about to be enqueued. */
    static void newId(Mail copy) {
        copy.setAttribute(new Attribute(ID_NAME, AttributeValue.of(UUID.randomUUID().toString())));
    }

    /** The journal of a mail taken off the queue; one that keeps nothing when the mail has no (valid) journal id. */
    MailJournal of(Mail mail) {
        Optional<String> id = mail.getAttribute(ID_NAME).map(Attribute::getValue).map(AttributeValue::value)
                .filter(String.class::isInstance).map(String.class::cast);
        if (id.isEmpty() || !ID_SYNTAX.matcher(id.get()).matches()) {
            LOGGER.debug("Mail {} carries no journal id (queued before the journal existed?): no delivery journal", mail.getName());
            return MailJournal.none(mail.getName());
        }
        return new MailJournal(mail.getName(), Optional.of(directory.resolve(id.get() + ".journal")), beforeWrite);
    }

    /** Given each line before it is written, and {@link MailJournal#SYNC} before the sync: tests inject a crash there. */
    void beforeWrite(Consumer<String> hook) {
        this.beforeWrite = hook;
    }
}
