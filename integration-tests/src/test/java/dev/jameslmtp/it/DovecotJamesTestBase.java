package dev.jameslmtp.it;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

import dev.jameslmtp.demo.WorkDirectory;
import dev.jameslmtp.testing.DovecotLmtpServer;
import dev.jameslmtp.testing.DovecotOptions;

/**
 * The per-class setup of the scenarios against one real Dovecot: start Dovecot, then an
 * {@link EmbeddedJames} whose LmtpDelivery handles {@value DovecotLmtpServer#DOMAIN} with the
 * parameters from {@link #lmtpDelivery}; after the class, close everything in reverse order of
 * start (also after a partial start). Working directories: {@link WorkDirectory#of} of the test class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DovecotJamesTestBase {

    protected DovecotLmtpServer dovecot;
    protected EmbeddedJames james;
    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();

    /** How Dovecot runs; the defaults unless overridden. */
    protected DovecotOptions dovecotOptions() {
        return DovecotOptions.defaults();
    }

    /** LmtpDelivery's init parameters, once {@link #dovecot} runs; may start more with {@link #closeAfterAll}. */
    protected abstract Map<String, String> lmtpDelivery() throws Exception;

    /** Further settings of the James under test (SMTP handlers, more domains); none unless overridden. */
    protected EmbeddedJames.Builder james(EmbeddedJames.Builder builder) throws Exception {
        return builder;
    }

    /** Closes {@code resource} after the class, before whatever was started earlier. */
    protected <T extends AutoCloseable> T closeAfterAll(T resource) {
        toClose.push(resource);
        return resource;
    }

    @BeforeAll
    void startDovecotAndJames() throws Exception {
        dovecot = closeAfterAll(DovecotLmtpServer.start(WorkDirectory.of(getClass(), "dovecot"), dovecotOptions()));
        james = closeAfterAll(james(EmbeddedJames.builder(WorkDirectory.of(getClass(), "james"))
                .lmtpDelivery("HostIs=" + DovecotLmtpServer.DOMAIN, lmtpDelivery()))
                .start());
    }

    @AfterAll
    void closeAll() throws Exception {
        while (!toClose.isEmpty()) {
            toClose.pop().close();
        }
    }
}
