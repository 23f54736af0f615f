package dev.jameslmtp.demo;

import java.nio.file.Path;

import org.apache.james.GuiceJamesServer;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.modules.data.MemoryUsersRepositoryModule;
import org.apache.james.server.core.configuration.Configuration;

/**
 * The one way the project embeds James 3.8.1: the in-memory server with SMTP only
 * ({@code MemoryJamesServerMain.SMTP_ONLY_MODULE} and in-memory users), its configuration read from
 * {@code <workDir>/conf} (see {@link JamesConfFiles}) and {@link LoopbackDns} as its DNS. The demo
 * ({@code DemoJames}), the integration tests ({@code EmbeddedJames}) and the extension test add
 * their own modules to it.
 */
public final class InMemoryJames {

    private InMemoryJames() {
    }

    /** The server, not started: combine or override modules, then {@link #start}. */
    public static GuiceJamesServer server(Path workDir) {
        return GuiceJamesServer.forConfiguration(Configuration.builder().workingDirectory(workDir.toFile()).build())
                .combineWith(MemoryJamesServerMain.SMTP_ONLY_MODULE, new MemoryUsersRepositoryModule())
                .overrideWith(binder -> binder.bind(DNSService.class).toInstance(new LoopbackDns()));
    }

    /** Starts {@code server}; when it fails to start, stops what did start (threads, ports) and rethrows. */
    public static GuiceJamesServer start(GuiceJamesServer server) throws Exception {
        try {
            server.start();
            return server;
        } catch (Exception | Error e) {
            server.stop();
            throw e;
        }
    }
}
