package dev.jameslmtp.demo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.james.GuiceJamesServer;
import org.apache.james.modules.protocols.LMTPServerModule;
import org.apache.james.modules.protocols.SmtpGuiceProbe;
import org.apache.james.utils.DataProbeImpl;
import org.apache.james.utils.GuiceProbe;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;

import com.google.inject.Module;
import com.google.inject.multibindings.Multibinder;

/**
 * The demo's in-memory James 3.8.1: SMTP in on 127.0.0.1, LmtpDelivery for the store's domain,
 * and, when no external destination is given, James's own LMTP server (mailbox mode, 127.0.0.1,
 * a port picked before start so that LmtpDelivery's destination can name it) as the store.
 */
final class DemoJames implements AutoCloseable {

    private final GuiceJamesServer server;
    private final Optional<Integer> storePort;

    private DemoJames(GuiceJamesServer server, Optional<Integer> storePort) {
        this.server = server;
        this.storePort = storePort;
    }

    /**
     * @param destination LmtpDelivery's destination, or empty to start and use the embedded store
     */
    static DemoJames start(Path workDir, String storeDomain, Optional<String> destination,
                           Map<String, String> lmtpDelivery, Outcomes outcomes) throws Exception {
        return start(workDir, storeDomain, destination, lmtpDelivery, outcomes, List.of());
    }

    /** As above, with Guice modules overriding the server's (the benchmarks' persistent mail queue). */
    static DemoJames start(Path workDir, String storeDomain, Optional<String> destination,
                           Map<String, String> lmtpDelivery, Outcomes outcomes, List<Module> overrides) throws Exception {
        Optional<Integer> storePort = destination.isPresent() ? Optional.empty() : Optional.of(freeLoopbackPort());
        Map<String, String> parameters = new java.util.LinkedHashMap<>();
        parameters.put("destination", destination.orElseGet(() -> "inet:127.0.0.1:" + storePort.get()));
        parameters.putAll(lmtpDelivery);
        return start(workDir, DemoConf.lmtpDelivery(storeDomain, parameters), storePort, outcomes, overrides);
    }

    /**
     * With {@code storeMailets} (see {@link DemoConf#write}) in LmtpDelivery's place and no
     * embedded store: the benchmark's {@code Null} and {@code RemoteDelivery} configurations.
     */
    static DemoJames start(Path workDir, String storeMailets, List<Module> overrides) throws Exception {
        return start(workDir, storeMailets, Optional.empty(), new Outcomes(), overrides);
    }

    private static DemoJames start(Path workDir, String storeMailets, Optional<Integer> storePort, Outcomes outcomes,
                                   List<Module> overrides) throws Exception {
        DemoConf.write(workDir.resolve("conf"), storeMailets, storePort);
        GuiceJamesServer server = InMemoryJames.server(workDir)
                .combineWith(new LMTPServerModule())
                .overrideWith(binder -> binder.bind(Outcomes.class).toInstance(outcomes))
                .overrideWith(binder -> Multibinder.newSetBinder(binder, GuiceProbe.class).addBinding().to(InboxProbe.class))
                .overrideWith(overrides.toArray(Module[]::new));
        return new DemoJames(InMemoryJames.start(server), storePort);
    }

    /** The embedded store's port, when it runs. */
    Optional<Integer> storePort() {
        return storePort;
    }

    int smtpPort() {
        return server.getProbe(SmtpGuiceProbe.class).getSmtpPort().getValue();
    }

    void addDomain(String domain) throws Exception {
        DataProbeImpl data = server.getProbe(DataProbeImpl.class);
        if (!data.containsDomain(domain)) {
            data.addDomain(domain);
        }
    }

    void addUser(String address, String password) throws Exception {
        server.getProbe(DataProbeImpl.class).addUser(address, password);
    }

    List<byte[]> inbox(String user) {
        return server.getProbe(InboxProbe.class).messages(user);
    }

    /**
     * Stops James. Mail still queued for a retry makes James 3.8.1's spooler log a
     * "Scheduler unavailable" stack trace per poll while it shuts down; the demo has reported those
     * recipients as deferred already, so that logger is silenced for the shutdown.
     */
    @Override
    public void close() {
        Logger spooler = (Logger) LoggerFactory.getLogger("org.apache.james.mailetcontainer.impl.JamesMailSpooler");
        spooler.setLevel(Level.OFF);
        server.stop();
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
