package dev.jameslmtp.mailet;

import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.time.Clock;

import org.apache.james.core.Domain;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;

import com.google.inject.AbstractModule;
import com.google.inject.TypeLiteral;

/**
 * What a James root injector binds that the mailet asks for: an in-memory mail queue factory,
 * a recording metric factory, a domain list whose default domain is {@code james.example} (a
 * Mockito stub: a unit seam, not the LMTP conversation) and the clock.
 */
final class JamesBindings extends AbstractModule {

    @Override
    protected void configure() {
        DomainList domainList = mock(DomainList.class);
        try {
            when(domainList.getDefaultDomain()).thenReturn(Domain.of("james.example"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        bind(new TypeLiteral<MailQueueFactory<?>>() { }).toInstance(new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory()));
        bind(MetricFactory.class).toInstance(new RecordingMetricFactory());
        bind(DomainList.class).toInstance(domainList);
        bind(Clock.class).toInstance(Clock.systemUTC());
    }
}
