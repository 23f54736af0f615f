package dev.jameslmtp.mailet;

import com.google.inject.AbstractModule;

import dev.jameslmtp.conf.LmtpDeliveryModule;

/**
 * The Guice extension module to list in James's {@code extensions.properties} when the mailet
 * should get its collaborators from Guice:
 *
 * <pre>
 * guice.extension.module=dev.jameslmtp.mailet.LmtpDeliveryMailetModule
 * </pre>
 *
 * <p>It installs {@link LmtpDeliveryModule} and binds {@link LmtpDelivery} itself. The latter is
 * what makes the former reach the mailet: James creates extension modules in a child injector,
 * and Guice creates just-in-time bindings in the parent injector whenever it can; the mailet needs
 * nothing that the server lacks, so without an explicit binding it would be built by the server's
 * injector, which never sees the extension's bindings. To use a client factory of your own, write
 * a module that binds {@code LmtpDelivery} and your {@code LmtpClientFactory}, instead of this one.
 *
 * <p>Optional: without any module, the mailet loads with James's standard bindings and the
 * standard client.
 */
public final class LmtpDeliveryMailetModule extends AbstractModule {

    @Override
    protected void configure() {
        install(new LmtpDeliveryModule());
        bind(LmtpDelivery.class);
    }
}
