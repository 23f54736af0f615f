package dev.jameslmtp.demo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.google.inject.Module;

/**
 * The demo's embedded, in-memory James (SMTP in on 127.0.0.1) in the benchmark's three
 * configurations, which differ only in the transport's mailet for the store's domain:
 * {@link #withLmtpDelivery LmtpDelivery} to a destination; James's {@link #withNull Null} (its
 * intake alone), whose mails are counted by {@link CountingHostIs} since nothing reaches a sink;
 * James's {@link #withRemoteDelivery RemoteDelivery} relaying to a gateway on 127.0.0.1 (the
 * topology LmtpDelivery replaces, with an MTA speaking LMTP behind it). The public face of the
 * package-private {@link DemoJames}, kept in the demo module (no package split across modules).
 */
public final class BenchmarkJames implements AutoCloseable {

    public static final String STORE_DOMAIN = "store.test";

    private final DemoJames james;
    private final Optional<CountingHostIs.Count> count;

    private BenchmarkJames(DemoJames james, Optional<CountingHostIs.Count> count) {
        this.james = james;
        this.count = count;
    }

    /** @param overrides Guice modules overriding the server's, e.g. a persistent mail queue */
    public static BenchmarkJames withLmtpDelivery(Path workDir, String destination, Map<String, String> lmtpDelivery,
                                                  List<Module> overrides) throws Exception {
        DemoJames james = DemoJames.start(workDir, STORE_DOMAIN, Optional.of(destination), lmtpDelivery, new Outcomes(), overrides);
        james.addDomain(Demo.SENDER_DOMAIN);
        return new BenchmarkJames(james, Optional.empty());
    }

    /** {@code <mailet match="dev.jameslmtp.demo.CountingHostIs=store.test" class="Null"/>}: see {@link #nullCount}. */
    public static BenchmarkJames withNull(Path workDir) throws Exception {
        CountingHostIs.Count count = new CountingHostIs.Count();
        String storeMailets = JamesConfFiles.mailet(CountingHostIs.class.getName() + "=" + STORE_DOMAIN, "Null", Map.of());
        List<Module> modules = new ArrayList<>();
        modules.add(binder -> binder.bind(CountingHostIs.Count.class).toInstance(count));
        DemoJames james = DemoJames.start(workDir, storeMailets, modules);
        james.addDomain(Demo.SENDER_DOMAIN);
        return new BenchmarkJames(james, Optional.of(count));
    }

    /**
     * RemoteDelivery for the store's domain with {@code gateway=127.0.0.1}, {@code gatewayPort}
     * and {@code remoteDelivery}'s further init parameters (which may override those). Its
     * concurrency is Reactor's bounded-elastic size (the system property
     * {@code reactor.schedulers.defaultBoundedElasticSize}, read once when Reactor's
     * {@code Schedulers} loads): James 3.8.1 ignores {@code deliveryThreads}.
     */
    public static BenchmarkJames withRemoteDelivery(Path workDir, int gatewayPort, Map<String, String> remoteDelivery) throws Exception {
        Map<String, String> parameters = new java.util.LinkedHashMap<>();
        parameters.put("gateway", "127.0.0.1");
        parameters.put("gatewayPort", Integer.toString(gatewayPort));
        parameters.putAll(remoteDelivery);
        DemoJames james = DemoJames.start(workDir, JamesConfFiles.mailet("HostIs=" + STORE_DOMAIN, "RemoteDelivery", parameters), List.of());
        james.addDomain(Demo.SENDER_DOMAIN);
        return new BenchmarkJames(james, Optional.empty());
    }

    public int smtpPort() {
        return james.smtpPort();
    }

    /** Mails that reached the {@code Null} mailet so far ({@link #withNull} only). */
    public long nullCount() {
        return count.orElseThrow(() -> new IllegalStateException("not the Null configuration")).mails();
    }

    @Override
    public void close() {
        james.close();
    }
}
