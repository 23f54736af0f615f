package dev.jameslmtp.mailet.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.Mail;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reactivestreams.Publisher;

import dev.jameslmtp.conf.ConfigurationError;

/** {@code journalStore}: which journal a mailet keeps, and how a wrong choice fails. */
class JournalStoreTest {

    @TempDir
    Path temp;

    private final RecordingBlobStore store = new RecordingBlobStore();
    private DeliveryJournal opened;

    @AfterEach
    void close() {
        if (opened != null) {
            opened.close();
        }
    }

    /** A queue whose class is named as James's RabbitMQ queue's ({@code RabbitMQMailQueue}) is: auto looks at the name only. */
    private static final class LookalikeRabbitMQMailQueue implements MailQueue {
        @Override
        public MailQueueName getName() {
            return MailQueueName.of("lmtp-outgoing");
        }

        @Override
        public void enQueue(Mail mail, java.time.Duration delay) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void enQueue(Mail mail) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Publisher<Void> enqueueReactive(Mail mail) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Publisher<MailQueueItem> deQueue() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }
    }

    private static final MailQueue RABBITMQ = new LookalikeRabbitMQMailQueue();
    private static final MailQueue MEMORY = new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory(), Clock.systemUTC())
            .createQueue(MailQueueName.of("lmtp-outgoing"));

    private JournalStore.Bindings james(boolean blobStore) {
        return new JournalStore.Bindings(Optional.empty(), blobStore ? Optional.of(store) : Optional.empty(),
                Optional.of(RecordingBlobStore.IDS));
    }

    private DeliveryJournal open(String value, MailQueue queue, Map<String, String> more, boolean blobStore) {
        Map<String, String> parameters = new java.util.HashMap<>(more);
        parameters.put("journalStore", value);
        opened = JournalStore.parse(parameters).open(parameters, queue, "lmtp-outgoing", temp.resolve("root").toString() + "/",
                james(blobStore), Clock.systemUTC());
        return opened;
    }

    @Test
    void autoShouldKeepTheJournalInTheBlobStoreOnJamesRabbitMQQueue() {
        assertThat(open("auto", RABBITMQ, Map.of(), true)).isInstanceOf(BlobJournal.class);
        assertThat(store.calls("probe.")).as("a blob written and removed at init").hasSize(2);
    }

    @Test
    void autoShouldKeepFilesOnOtherQueues() {
        assertThat(open("auto", MEMORY, Map.of(), true)).isInstanceOf(FileJournal.class);
        assertThat(((FileJournal) opened).directory()).isEqualTo(temp.resolve("root/lmtp-outgoing"));
    }

    @Test
    void autoShouldKeepFilesOnRabbitMQWhenJournalDirectoryIsSet() {
        assertThat(open("auto", RABBITMQ, Map.of("journalDirectory", temp.resolve("shared").toString()), true))
                .isInstanceOf(FileJournal.class);
    }

    @Test
    void autoShouldKeepFilesOnRabbitMQWhenJamesBindsNoBlobStore() {
        assertThat(open("auto", RABBITMQ, Map.of(), false)).isInstanceOf(FileJournal.class);
    }

    @Test
    void fileAndBlobstoreShouldBeTakenAsSaidWhateverTheQueueInAnyCase() {
        assertThat(open("File", RABBITMQ, Map.of(), true)).isInstanceOf(FileJournal.class);
        opened.close();
        assertThat(open("BLOBSTORE", MEMORY, Map.of(), true)).isInstanceOf(BlobJournal.class);
    }

    @Test
    void parseShouldRejectAnUnknownValueNamingTheParameterTheValueAndTheAcceptedForm() {
        assertThatThrownBy(() -> JournalStore.parse(Map.of("journalStore", "cassandra")))
                .isInstanceOf(ConfigurationError.class)
                .hasMessage("parameter 'journalStore': invalid value 'cassandra': expected auto (James's blob store on its RabbitMQ"
                        + " queue, else files), file or blobstore");
        assertThatThrownBy(() -> JournalStore.parse(Map.of("journalStore", " ")))
                .isInstanceOf(ConfigurationError.class).hasMessageContaining("journalStore");
        assertThat(JournalStore.parse(Map.of())).isEqualTo(JournalStore.AUTO);
    }

    @Test
    void blobstoreShouldFailWhenJamesBindsNoBlobStore() {
        assertThatThrownBy(() -> open("blobstore", RABBITMQ, Map.of(), false))
                .isInstanceOf(ConfigurationError.class)
                .hasMessageContaining("'journalStore'").hasMessageContaining("'blobstore'").hasMessageContaining("binds no BlobStoreDAO");
    }

    @Test
    void blobstoreShouldFailWithAJournalDirectory() {
        assertThatThrownBy(() -> open("blobstore", RABBITMQ, Map.of("journalDirectory", temp.toString()), true))
                .isInstanceOf(ConfigurationError.class)
                .hasMessageContaining("'journalStore' and 'journalDirectory'");
    }

    @Test
    void blobstoreShouldFailNamingJournalStoreWhenTheStoreRefusesAWrite() {
        store.failing.set(true);

        assertThatThrownBy(() -> open("blobstore", RABBITMQ, Map.of(), true))
                .isInstanceOf(ConfigurationError.class)
                .hasMessageContaining("'journalStore'").hasMessageContaining("bucket lmtp-journal")
                .hasMessageContaining("injected blob store failure");
    }

    @Test
    void aQueueNameWithOtherCharactersShouldBeWrittenInHexInBlobNames() {
        assertThat(BlobJournal.queueKey("lmtp-outgoing")).isEqualTo("lmtp-outgoing");
        assertThat(BlobJournal.queueKey("lmtp_out.2")).isEqualTo("!6c6d74705f6f75742e32");
    }
}
