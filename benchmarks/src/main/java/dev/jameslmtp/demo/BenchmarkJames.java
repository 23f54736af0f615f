package dev.jameslmtp.demo;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The demo's embedded, in-memory James (SMTP in on 127.0.0.1, LmtpDelivery for the store's
 * domain) for the benchmarks, delivering to {@code destination}. In the demo's package because
 * {@link DemoJames} is package-private.
 */
public final class BenchmarkJames implements AutoCloseable {

    public static final String STORE_DOMAIN = "store.test";

    private final DemoJames james;

    private BenchmarkJames(DemoJames james) {
        this.james = james;
    }

    public static BenchmarkJames start(Path workDir, String destination, Map<String, String> lmtpDelivery) throws Exception {
        DemoJames james = DemoJames.start(workDir, STORE_DOMAIN, Optional.of(destination), lmtpDelivery, new Outcomes());
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
