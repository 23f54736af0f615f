package dev.jameslmtp.mailet.journal;

import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.apache.james.blob.api.BlobId;
import org.apache.james.blob.api.BlobStoreDAO;
import org.apache.james.blob.api.HashBlobId;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.queue.api.MailQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.conf.ConfigurationError;
import dev.jameslmtp.conf.Parameter;
import dev.jameslmtp.conf.ParameterValues;

/**
 * {@code journalStore}: where an LmtpDelivery keeps its {@link DeliveryJournal}. {@code file}: a
 * {@link FileJournal} in {@code journalDirectory}, read by this James only. {@code blobstore}: a
 * {@link BlobJournal} in the {@link BlobStoreDAO} James binds, read by every node sharing it.
 * {@code auto} (the default): the blob store when the mailet's queue is James's RabbitMQ queue
 * (several nodes share it), unless {@code journalDirectory} is set; else the file journal.
 *
 * <p>Diagnostics: a value other than these three fails {@code init()} naming the parameter, and so
 * do {@code blobstore} without a {@code BlobStoreDAO} bound in James and {@code blobstore} with a
 * {@code journalDirectory}. {@code auto} on RabbitMQ without a {@code BlobStoreDAO} keeps the file
 * journal, with a WARN.
 */
public enum JournalStore {
    AUTO, FILE, BLOBSTORE;

    private static final Logger LOGGER = LoggerFactory.getLogger(JournalStore.class);

    /**
     * {@code journalStore} of the mailet parameters {@code parameters}.
     *
     * @throws ConfigurationError naming {@code journalStore}, the value and the accepted form
     */
    public static JournalStore parse(Map<String, String> parameters) {
        String value = new ParameterValues(parameters).getOrDefault(Parameter.JOURNAL_STORE).orElseThrow();
        try {
            return valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ConfigurationError.invalid(Parameter.JOURNAL_STORE.key(), value,
                    "auto (James's blob store on its RabbitMQ queue, else files), file or blobstore");
        }
    }

    /** What James binds that a journal can be kept in. */
    public record Bindings(Optional<FileSystem> fileSystem, Optional<BlobStoreDAO> blobStore, Optional<BlobId.Factory> blobIds) {
    }

    /**
     * Opens the journal of the mailet consuming {@code queue} (named {@code outgoing}, James's queue
     * as it made it) with {@code parameters}; a file journal goes in {@code journalDirectory}, else
     * under {@code defaultRoot} followed by the queue's name.
     *
     * @throws ConfigurationError naming the parameter at fault
     */
    public DeliveryJournal open(Map<String, String> parameters, MailQueue queue, String outgoing, String defaultRoot, Bindings james,
                                Clock clock) {
        Optional<String> directory = new ParameterValues(parameters).get(Parameter.JOURNAL_DIRECTORY);
        if (this == BLOBSTORE && directory.isPresent()) {
            throw ConfigurationError.conflict("parameters 'journalStore' and 'journalDirectory': journalStore blobstore keeps no files;"
                    + " leave journalDirectory out, or set journalStore file");
        }
        if (this == BLOBSTORE && james.blobStore().isEmpty()) {
            throw ConfigurationError.invalid(Parameter.JOURNAL_STORE.key(), "blobstore", "file or auto: this James binds no"
                    + " BlobStoreDAO (James's distributed and memory flavours do)");
        }
        if (usesBlobStore(queue, directory.isPresent(), james.blobStore().isPresent())) {
            return BlobJournal.open(james.blobStore().orElseThrow(), james.blobIds().orElseGet(HashBlobId.Factory::new), outgoing, clock);
        }
        return FileJournal.open(directory.orElse(defaultRoot + outgoing), james.fileSystem(), outgoing);
    }

    private boolean usesBlobStore(MailQueue queue, boolean directorySet, boolean blobStoreBound) {
        return switch (this) {
            case FILE -> false;
            case BLOBSTORE -> true;
            case AUTO -> {
                if (!queue.getClass().getName().toLowerCase(Locale.ROOT).contains("rabbitmq")) {
                    yield false;
                }
                if (directorySet) {
                    LOGGER.warn("LmtpDelivery on queue {} (RabbitMQ): delivery journal in journalDirectory, as configured; a local directory"
                            + " is read by this node only (leave journalDirectory out to share the journal through James's blob store)",
                            queue.getName().asString());
                    yield false;
                }
                if (!blobStoreBound) {
                    LOGGER.warn("LmtpDelivery on queue {} (RabbitMQ): this James binds no BlobStoreDAO, so the delivery journal is in"
                            + " local files, read by this node only", queue.getName().asString());
                    yield false;
                }
                yield true;
            }
        };
    }
}
