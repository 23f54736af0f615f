package dev.jameslmtp.demo;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The demo's embedded, in-memory James (SMTP in on 127.0.0.1, LmtpDelivery for the store's
 * domain) for the benchmarks module, delivering to {@code destination}: the public face of the
 * package-private {@link DemoJames}, kept in the demo module (no package split across modules).
 */
public final class BenchmarkJames implements AutoCloseable {

    public static final String STORE_DOMAIN = "store.test";

    private final DemoJames james;

    private BenchmarkJames(DemoJames james) {
        this.james = james;
    }

    /** @param overrides Guice modules overriding the server's, e.g. a persistent mail queue */
    public static BenchmarkJames start(Path workDir, String destination, Map<String, String> lmtpDelivery,
                                       List<com.google.inject.Module> overrides) throws Exception {
        DemoJames james = DemoJames.start(workDir, STORE_DOMAIN, Optional.of(destination), lmtpDelivery, new Outcomes(), overrides);
        james.addDomain(Demo.SENDER_DOMAIN);
        return new BenchmarkJames(james);
    }

    public int smtpPort() {
        return james.smtpPort();
    }

    @Override
    public void close() {
        james.close();
    }
}
