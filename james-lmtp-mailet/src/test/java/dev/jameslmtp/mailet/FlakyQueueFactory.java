package dev.jameslmtp.mailet;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.Mail;
import org.reactivestreams.Publisher;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * James's memory mail queue with switches that make it fail, as a broken James would: the next
 * {@code n} enqueues ({@link #failEnqueues}), the next {@code n} acknowledgements
 * ({@link #failAcknowledgements}). A failed acknowledgement leaves the item in processing, as a
 * real queue whose broker is gone would.
 */
final class FlakyQueueFactory implements MailQueueFactory<ManageableMailQueue> {

    private final MemoryMailQueueFactory memory;
    final AtomicInteger enqueueFailures = new AtomicInteger();
    final AtomicInteger successesBeforeFailures = new AtomicInteger();
    final AtomicInteger acknowledgementFailures = new AtomicInteger();
    final AtomicInteger enqueues = new AtomicInteger();

    FlakyQueueFactory(Clock clock) {
        this.memory = new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory(), clock);
    }

    FlakyQueueFactory failEnqueues(int count) {
        return failEnqueuesAfter(0, count);
    }

    /** The next {@code successes} enqueues work, then {@code failures} fail. */
    FlakyQueueFactory failEnqueuesAfter(int successes, int failures) {
        successesBeforeFailures.set(successes);
        enqueueFailures.set(failures);
        return this;
    }

    FlakyQueueFactory failAcknowledgements(int count) {
        acknowledgementFailures.set(count);
        return this;
    }

    private static boolean take(AtomicInteger failures) {
        return failures.getAndUpdate(n -> n > 0 ? n - 1 : n) > 0;
    }

    @Override
    public Optional<ManageableMailQueue> getQueue(MailQueueName name, PrefetchCount count) {
        return memory.getQueue(name, count).map(FlakyQueue::new);
    }

    @Override
    public ManageableMailQueue createQueue(MailQueueName name, PrefetchCount count) {
        return new FlakyQueue(memory.createQueue(name, count));
    }

    @Override
    public Set<MailQueueName> listCreatedMailQueues() {
        return memory.listCreatedMailQueues();
    }

    private final class FlakyQueue implements ManageableMailQueue {
        private final ManageableMailQueue delegate;

        FlakyQueue(ManageableMailQueue delegate) {
            this.delegate = delegate;
        }

        @Override
        public MailQueueName getName() {
            return delegate.getName();
        }

        @Override
        public void enQueue(Mail mail, Duration delay) throws MailQueueException {
            if (!take(successesBeforeFailures) && take(enqueueFailures)) {
                throw new MailQueueException("injected enqueue failure");
            }
            delegate.enQueue(mail, delay);
            enqueues.incrementAndGet();
        }

        @Override
        public void enQueue(Mail mail) throws MailQueueException {
            enQueue(mail, Duration.ZERO);
        }

        @Override
        public Publisher<Void> enqueueReactive(Mail mail) {
            return Mono.fromRunnable(() -> {
                try {
                    enQueue(mail);
                } catch (MailQueueException e) {
                    throw new IllegalStateException(e);
                }
            });
        }

        @Override
        public Publisher<MailQueueItem> deQueue() {
            return Flux.from(delegate.deQueue()).map(item -> new MailQueueItem() {
                @Override
                public Mail getMail() {
                    return item.getMail();
                }

                @Override
                public void done(CompletionStatus status) throws MailQueueException {
                    if (take(acknowledgementFailures)) {
                        throw new MailQueueException("injected acknowledgement failure");
                    }
                    item.done(status);
                }
            });
        }

        @Override
        public void close() {
            try {
                delegate.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public long getSize() throws MailQueueException {
            return delegate.getSize();
        }

        @Override
        public long flush() throws MailQueueException {
            return delegate.flush();
        }

        @Override
        public long clear() throws MailQueueException {
            return delegate.clear();
        }

        @Override
        public long remove(Type type, String value) throws MailQueueException {
            return delegate.remove(type, value);
        }

        @Override
        public MailQueueIterator browse() throws MailQueueException {
            return delegate.browse();
        }
    }
}
