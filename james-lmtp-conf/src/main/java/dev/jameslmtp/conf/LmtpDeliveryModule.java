package dev.jameslmtp.conf;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;

import dev.jameslmtp.client.pool.ConnectionPool;

/**
 * Guice bindings for {@code LmtpDelivery} beyond James's own, for
 * {@code extensions.properties}:
 *
 * <pre>
 * guice.extension.module=dev.jameslmtp.mailet.LmtpDeliveryMailetModule
 * </pre>
 *
 * <p>Listing this module alone is not enough for the mailet to see its bindings: list
 * {@code dev.jameslmtp.mailet.LmtpDeliveryMailetModule}, which installs this one and binds the
 * mailet class in the same (child) injector; see there why.
 *
 * <p>It binds {@link LmtpClientFactory} to {@link LmtpClientFactory#standard()}, and the LMTP
 * {@link ConnectionPool} as a singleton: one cache of connections shared by every
 * {@code LmtpDelivery} of this James (each mailet retains it at {@code init} and releases it at
 * {@code destroy}; when James stops and the last mailet is destroyed, every cached connection is
 * closed). Nothing else:
 * James's extension modules live in a child injector and cannot override server bindings, so
 * {@code Clock}, {@code MailQueueFactory}, {@code MetricFactory} and {@code DomainList} come from
 * James itself. The module is optional: without it the mailet uses the standard factory. To
 * replace the client (a decorator that counts connections, say), bind {@link LmtpClientFactory} in
 * a module of your own instead of this one.
 */
public final class LmtpDeliveryModule extends AbstractModule {

    @Override
    protected void configure() {
        bind(LmtpClientFactory.class).toInstance(LmtpClientFactory.standard());
    }

    @Provides
    @Singleton
    ConnectionPool connectionPool() {
        return ConnectionPool.create();
    }
}
