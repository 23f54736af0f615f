package dev.jameslmtp.it;

import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.james.backends.rabbitmq.RabbitMQConfiguration;
import org.apache.james.backends.rabbitmq.ReactorRabbitMQChannelPool;
import org.apache.james.backends.rabbitmq.ReceiverProvider;
import org.apache.james.backends.rabbitmq.SimpleConnectionPool;
import org.apache.james.blob.api.BlobId;
import org.apache.james.blob.api.BlobStoreDAO;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.queue.rabbitmq.RabbitMQMailQueueFactory;
import org.apache.james.queue.rabbitmq.view.RabbitMQMailQueueConfiguration;
import org.apache.james.queue.rabbitmq.view.api.FakeMailQueueView;
import org.apache.james.queue.rabbitmq.view.api.MailQueueView;

import com.google.inject.AbstractModule;
import com.google.inject.Provider;
import com.google.inject.Provides;
import com.google.inject.Scopes;
import com.google.inject.Singleton;

import reactor.rabbitmq.Sender;

/**
 * James's RabbitMQ mail queue in place of the memory queue of the in-memory James (override the
 * server's modules with it), as the distributed James has it but without Cassandra: every James
 * queue ({@code spool}, LmtpDelivery's {@code outgoing}) is a RabbitMQ work queue and a
 * dead-letter queue, the message a reference to the mail's content in James's blob store. Rebuilt
 * from James 3.8.1's {@code RabbitMQModule} and {@code FakeMailQueueViewModule} (its Guice
 * modules are not on Maven Central), without health checks and reconnection handlers.
 *
 * <p>The queue's view is James's {@code FakeMailQueueView}: the queue cannot be browsed, its size
 * reads 0, and {@code remove}/{@code clear} do nothing; ask RabbitMQ instead. Delays are ignored by
 * James's RabbitMQ queue (an item enqueued with a delay is ready at once).
 *
 * <p>The content goes to James's blob store: in memory by default, or, given a directory, to
 * {@link FileBlobStoreDAO} files there, so that James JVMs on one RabbitMQ share it. The
 * connection and channel pools are made by Guice, so that their {@code @PreDestroy} methods close
 * them when James stops, after the mailets that use them (James stops what was made last first).
 */
public final class RabbitMqQueueModule extends AbstractModule {

    private final RabbitMQConfiguration configuration;
    private final Optional<Path> sharedBlobDirectory;

    /** Reaches RabbitMQ at {@code amqpUri} and its management API at {@code managementUri} as {@code user}. */
    public RabbitMqQueueModule(URI amqpUri, URI managementUri, String user, String password, Optional<Path> sharedBlobDirectory) {
        this.configuration = RabbitMQConfiguration.builder()
                .amqpUri(amqpUri)
                .managementUri(managementUri)
                .managementCredentials(new RabbitMQConfiguration.ManagementCredentials(user, password.toCharArray()))
                .build();
        this.sharedBlobDirectory = sharedBlobDirectory;
    }

    @Override
    protected void configure() {
        bind(RabbitMQConfiguration.class).toInstance(configuration);
        bind(SimpleConnectionPool.Configuration.class).toInstance(SimpleConnectionPool.Configuration.DEFAULT);
        bind(SimpleConnectionPool.class).in(Scopes.SINGLETON);
        bind(ReactorRabbitMQChannelPool.class).to(ChannelPool.class);
        bind(ChannelPool.class).in(Scopes.SINGLETON);
        bind(RabbitMQMailQueueConfiguration.class).toInstance(RabbitMQMailQueueConfiguration.builder().build());
        bind(MailQueueView.Factory.class).toInstance(new FakeMailQueueView.Factory());
        bind(RabbitMQMailQueueFactory.class).in(Scopes.SINGLETON);
        sharedBlobDirectory.ifPresent(directory -> {
            Provider<BlobId.Factory> blobIds = getProvider(BlobId.Factory.class);
            bind(BlobStoreDAO.class).toProvider(() -> new FileBlobStoreDAO(directory, blobIds.get())).in(Scopes.SINGLETON);
        });
    }

    @Provides
    @Singleton
    Sender sender(ReactorRabbitMQChannelPool channels) {
        return channels.getSender();
    }

    @Provides
    @Singleton
    ReceiverProvider receivers(ReactorRabbitMQChannelPool channels) {
        return channels::createReceiver;
    }

    @Provides
    @Singleton
    MailQueueFactory<? extends ManageableMailQueue> manageableQueues(RabbitMQMailQueueFactory factory) {
        return factory;
    }

    @Provides
    @Singleton
    MailQueueFactory<?> queues(RabbitMQMailQueueFactory factory) {
        return factory;
    }

    @Provides
    @Singleton
    MailQueueFactory<? extends MailQueue> genericQueues(RabbitMQMailQueueFactory factory) {
        return factory;
    }

    /** James's channel pool over the one connection, started once made; closed by its {@code @PreDestroy close()}. */
    static final class ChannelPool extends ReactorRabbitMQChannelPool {
        @Inject
        ChannelPool(SimpleConnectionPool connections, MetricFactory metrics) {
            super(connections.getResilientConnection(), Configuration.DEFAULT, metrics);
            start();
        }
    }
}
