package dev.jameslmtp.mailet.journal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import org.apache.james.core.MailAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mail's journal in a {@link FileJournal} directory: its lines in the directory's shared
 * {@link JournalLog} (one {@code write()} each, the moment it is known), after those of its own
 * file {@code <id>.journal} if it has one (written by the previous version, or moved there by the
 * log). {@link #sync} waits for the log's group commit; {@link #settle} remembers the id as
 * settled, drops the mail's lines from the log and removes its own file.
 */
final class LogMailJournal extends MailJournal {

    private static final Logger LOGGER = LoggerFactory.getLogger(MailJournal.class);

    private final String id;
    private final Path file;
    private final JournalLog log;
    private final boolean settled;
    private final Runnable onSettle;
    private long end = -1;
    private boolean ownFile = true;

    /**
     * The journal of mail {@code mailName}, journal id {@code id}, own file {@code file};
     * {@code settled}: the id is among the settled ones; {@code onSettle} remembers it settled;
     * {@code onClose}: the directory no longer holds this journal for an attempt.
     */
    LogMailJournal(String mailName, String id, Path file, JournalLog log, Consumer<String> beforeWrite, boolean settled,
                   Runnable onSettle, Runnable onClose) {
        super(mailName, beforeWrite, onClose);
        this.id = id;
        this.file = file;
        this.log = log;
        this.settled = settled;
        this.onSettle = onSettle;
    }

    @Override
    public Reading read(List<MailAddress> recipients) {
        String own = "";
        ownFile = file.toFile().exists(); // Files.exists throws and catches an exception when absent (Java 17): one per mail
        if (ownFile) {
            try {
                own = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            } catch (IOException e) {
                LOGGER.warn("Could not read the delivery journal {} of mail {} ({}); its recipients are sent again", file, mailName,
                        e.toString());
            }
        }
        String text = own + log.text(id);
        return JournalLines.parse(text, recipients, settled, file.toString(), mailName);
    }

    @Override
    boolean keeps() {
        return true;
    }

    @Override
    void append(String line, boolean bounce, MailAddress recipient) {
        try {
            end = log.append(id, line);
        } catch (IOException e) {
            LOGGER.warn("Could not write to the delivery journal log in {} for mail {} ({}): {}", file.getParent(), mailName, e.toString(),
                    lost(recipient, bounce));
        }
    }

    /** Waits for the log's group commit to cover this mail's lines. */
    @Override
    void force() {
        if (end >= 0) {
            log.sync(end);
        }
    }

    @Override
    public void settle() {
        onSettle.run();
        close();
        log.settle(id);
        if (ownFile) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOGGER.warn("Could not remove the delivery journal {} of mail {}: {}", file, mailName, e.toString());
            }
        }
    }

    @Override
    void release() {
    }
}
