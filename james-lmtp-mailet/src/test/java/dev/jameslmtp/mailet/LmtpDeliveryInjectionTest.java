package dev.jameslmtp.mailet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.blob.api.BlobId;
import org.apache.james.blob.api.BlobStoreDAO;
import org.apache.james.blob.api.HashBlobId;
import org.apache.james.blob.memory.MemoryBlobStoreDAO;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;

import dev.jameslmtp.conf.LmtpClientFactory;
import dev.jameslmtp.mailet.journal.BlobJournal;
import dev.jameslmtp.mailet.journal.FileJournal;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;

/** The mailet as James's GuiceMailetLoader makes it: injector.getInstance(LmtpDelivery.class). */
class LmtpDeliveryInjectionTest {

    private static Module jamesBindings() {
        return com.google.inject.util.Modules.combine(new JamesBindings(), binder -> binder.bind(FileSystem.class).toInstance(JAMES_HOME));
    }

    /** James's FileSystem over a working directory under target/: {@code file://x} is {@code x} there. */
    private static final FileSystem JAMES_HOME = new FileSystem() {
        private final File base = new File("target/injection-james-home").getAbsoluteFile();

        @Override
        public InputStream getResource(String url) throws IOException {
            return new FileInputStream(getFile(url));
        }

        @Override
        public File getFile(String url) {
            return new File(base, url.substring(FileSystem.FILE_PROTOCOL.length()));
        }

        @Override
        public File getBasedir() {
            return base;
        }
    };

    @Test
    void jamesStandardBindingsShouldBeEnoughToLoadTheMailet() throws Exception {
        Injector injector = Guice.createInjector(jamesBindings());

        LmtpDelivery mailet = injector.getInstance(LmtpDelivery.class);
        mailet.init(FakeMailetConfig.builder().mailetName("lmtp").mailetContext(FakeMailContext.defaultContext())
                .setProperty("destination", "inet:127.0.0.1:2424").build());
        try {
            assertThat(mailet.configuration().lhloName()).isEqualTo("james.example");
            assertThat(((FileJournal) mailet.pipeline().journal()).directory()).as("the journal in James's working directory, by its FileSystem")
                    .isEqualTo(JAMES_HOME.getBasedir().toPath().resolve("var/lmtp-journal/lmtp-outgoing"))
                    .isDirectory();
        } finally {
            mailet.destroy();
        }
    }

    @Test
    void theBlobStoreJamesBindsShouldKeepTheJournalWhenAsked() throws Exception {
        MemoryBlobStoreDAO blobStore = new MemoryBlobStoreDAO();
        Injector injector = Guice.createInjector(jamesBindings(), binder -> {
            binder.bind(BlobStoreDAO.class).toInstance(blobStore);
            binder.bind(BlobId.Factory.class).to(HashBlobId.Factory.class);
        });

        LmtpDelivery mailet = injector.getInstance(LmtpDelivery.class);
        mailet.init(FakeMailetConfig.builder().mailetName("lmtp").mailetContext(FakeMailContext.defaultContext())
                .setProperty("destination", "inet:127.0.0.1:2424").setProperty("journalStore", "blobstore").build());
        try {
            assertThat(mailet.pipeline().journal()).isInstanceOf(BlobJournal.class);
        } finally {
            mailet.destroy();
        }
    }

    @Test
    void aClientFactoryBoundInAnExtensionModuleShouldBeUsed() throws Exception {
        AtomicInteger clients = new AtomicInteger();
        LmtpClientFactory counting = (configuration, transcript) -> {
            clients.incrementAndGet();
            return LmtpClientFactory.standard().create(configuration, transcript);
        };
        Injector injector = Guice.createInjector(jamesBindings()).createChildInjector(binder -> {
            binder.bind(LmtpDelivery.class);
            binder.bind(LmtpClientFactory.class).toInstance(counting);
        });

        LmtpDelivery mailet = injector.getInstance(LmtpDelivery.class);
        try (FakeLmtpServer server = FakeLmtpServer.start(LmtpHandler.defaults())) {
            mailet.init(FakeMailetConfig.builder().mailetName("lmtp").mailetContext(FakeMailContext.defaultContext())
                    .setProperty("destination", "inet:127.0.0.1:" + server.port()).build());
            mailet.pipeline().attempt(TestMails.mail("alice@a.test", "bob@b.test"));
            mailet.pipeline().attempt(TestMails.mail("alice@a.test", "carol@b.test"));
        } finally {
            mailet.destroy();
        }

        assertThat(clients.get()).as("one client, built once, for every attempt").isEqualTo(1);
    }

    @Test
    void theExtensionModuleShouldLoadBesideJamesBindings() throws Exception {
        Injector injector = Guice.createInjector(jamesBindings()).createChildInjector(new LmtpDeliveryMailetModule());

        assertThat(injector.getInstance(LmtpDelivery.class)).isNotSameAs(injector.getInstance(LmtpDelivery.class));
        assertThat(injector.getInstance(LmtpClientFactory.class)).isNotNull();
    }

    @Test
    void aChildBindingAloneShouldNotReachTheMailetBecauseGuiceBuildsItInTheParent() throws Exception {
        AtomicInteger clients = new AtomicInteger();
        Injector injector = Guice.createInjector(jamesBindings()).createChildInjector(binder -> binder.bind(LmtpClientFactory.class)
                .toInstance((configuration, transcript) -> {
                    clients.incrementAndGet();
                    return LmtpClientFactory.standard().create(configuration, transcript);
                }));

        LmtpDelivery mailet = injector.getInstance(LmtpDelivery.class);
        try (FakeLmtpServer server = FakeLmtpServer.start(LmtpHandler.defaults())) {
            mailet.init(FakeMailetConfig.builder().mailetName("lmtp").mailetContext(FakeMailContext.defaultContext())
                    .setProperty("destination", "inet:127.0.0.1:" + server.port()).build());
            mailet.pipeline().attempt(TestMails.mail("alice@a.test", "bob@b.test"));
        } finally {
            mailet.destroy();
        }

        assertThat(clients.get()).as("why LmtpDeliveryMailetModule binds the mailet class").isZero();
    }
}
