package dev.jameslmtp.it;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.james.GuiceJamesServer;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.modules.protocols.SmtpGuiceProbe;
import org.apache.james.modules.server.MailQueueRoutesModule;
import org.apache.james.modules.server.NoJwtModule;
import org.apache.james.modules.server.WebAdminServerModule;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.utils.DataProbeImpl;
import org.apache.james.utils.GuiceProbe;
import org.apache.james.utils.MailRepositoryProbeImpl;
import org.apache.james.utils.SMTPMessageSender;
import org.apache.james.utils.WebAdminGuiceProbe;

import com.google.inject.Module;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.util.Modules;

import dev.jameslmtp.demo.InMemoryJames;
import dev.jameslmtp.demo.InboxProbe;
import dev.jameslmtp.demo.JamesConfFiles;
import dev.jameslmtp.demo.WorkDirectory;

/**
 * An in-memory Apache James 3.8.1 for integration tests: SMTP in on 127.0.0.1 (a port the kernel
 * picks), the mailet container configured from a private {@code conf/} directory under the
 * working directory (see {@link JamesConfFiles}), local delivery for {@value #LOCAL_DOMAIN} into
 * the in-memory mailbox, and the delivery mailets under test for everything else.
 *
 * <p>Each instance owns its working directory (wiped at start) and its server; {@link #close()}
 * stops it. Probes: {@link InboxProbe} reads a local user's INBOX, {@link MailQueueProbe} the
 * size of a mail queue, {@link MetricsProbe} a counter.
 */
public final class EmbeddedJames implements AutoCloseable {

    /** James's own domain: the sender lives here and receives the DSNs. */
    public static final String LOCAL_DOMAIN = "sender.test";
    public static final String SENDER = "sender@" + LOCAL_DOMAIN;
    private static final String PASSWORD = "secret";

    private final GuiceJamesServer server;

    private EmbeddedJames(GuiceJamesServer server) {
        this.server = server;
    }

    public static Builder builder(Path workDir) {
        return new Builder(workDir);
    }

    /** How the recipients outside {@value #LOCAL_DOMAIN} are handled; one mailet element or several. */
    public static final class Builder {
        private final Path workDir;
        private String deliveryMailets = "";
        private String smtpHandlers = "";
        private List<String> moreDomains = List.of();
        private boolean webAdmin;
        private List<Module> overrides = List.of();
        private boolean keepWorkDir;
        private Map<String, String> confFiles = Map.of();

        private Builder(Path workDir) {
            this.workDir = workDir.toAbsolutePath().normalize();
        }

        /** {@code LmtpDelivery} for the recipients that {@code match} selects, with these init parameters. */
        public Builder lmtpDelivery(String match, Map<String, String> parameters) {
            return deliveryMailet(match, Lmtp.MAILET, parameters);
        }

        /** Any mailet, appended after the ones already declared. */
        public Builder deliveryMailet(String match, String className, Map<String, String> parameters) {
            deliveryMailets += JamesConfFiles.mailet(match, className, parameters);
            return this;
        }

        /** {@code <handler>} elements placed before James's core SMTP handlers (e.g. the recipient-verification hook). */
        public Builder smtpHandlers(String handlers) {
            this.smtpHandlers = handlers;
            return this;
        }

        /** More James domains besides {@value #LOCAL_DOMAIN}, e.g. a domain whose users live only in the store. */
        public Builder domains(String... domains) {
            this.moreDomains = List.of(domains);
            return this;
        }

        /** Guice modules overriding the server's, e.g. a persistent mail queue ({@link ActiveMQQueueModule}). */
        public Builder override(Module... modules) {
            this.overrides = List.of(modules);
            return this;
        }

        /** Files written into {@code conf/} after the standard ones, replacing any of the same name (e.g. {@code healthcheck.properties}). */
        public Builder confFiles(Map<String, String> files) {
            this.confFiles = Map.copyOf(files);
            return this;
        }

        /** Keeps what an earlier James left in the working directory (a persistent queue's store) instead of wiping it. */
        public Builder keepingWorkDir() {
            this.keepWorkDir = true;
            return this;
        }

        /** James's webadmin on 127.0.0.1 (a port the kernel picks, no authentication), with the mail queue routes. */
        public Builder webAdmin() {
            this.webAdmin = true;
            return this;
        }

        /** Writes {@code conf/}, starts James and creates the sender's account. */
        public EmbeddedJames start() throws Exception {
            if (!keepWorkDir) {
                WorkDirectory.delete(workDir);
            }
            JamesConfFiles.write(workDir.resolve("conf"), LOCAL_DOMAIN, moreDomains,
                    JamesConfFiles.smtpServer("james-lmtp integration test", smtpHandlers),
                    mailetContainer(deliveryMailets), JamesConfFiles.LMTP_SERVER_DISABLED);
            for (Map.Entry<String, String> file : confFiles.entrySet()) {
                java.nio.file.Files.writeString(workDir.resolve("conf").resolve(file.getKey()), file.getValue());
            }
            GuiceJamesServer server = InMemoryJames.server(workDir)
                    .combineWith(webAdmin
                            ? List.of(Modules.override(new WebAdminServerModule(), new MailQueueRoutesModule())
                                    .with(MemoryJamesServerMain.WEBADMIN_NO_AUTH_MODULE, new NoJwtModule()))
                            : List.<Module>of())
                    .overrideWith(binder -> {
                        Multibinder<GuiceProbe> probes = Multibinder.newSetBinder(binder, GuiceProbe.class);
                        probes.addBinding().to(InboxProbe.class);
                        probes.addBinding().to(MailQueueProbe.class);
                        probes.addBinding().to(MetricsProbe.class);
                    })
                    .overrideWith(overrides.toArray(Module[]::new));
            InMemoryJames.start(server);
            try {
                server.getProbe(DataProbeImpl.class).addUser(SENDER, PASSWORD);
            } catch (Exception | Error e) {
                server.stop();
                throw e;
            }
            return new EmbeddedJames(server);
        }
    }

    /**
     * In {@code transport}: local delivery for {@value #LOCAL_DOMAIN} (the sender's own domain,
     * where DSNs arrive), then the delivery mailets under test, then (see {@link JamesConfFiles})
     * the relay-denied repository for anything else; {@code bounces} turns failed recipients into
     * a DSN to the sender with {@code DSNBounce}.
     */
    static String mailetContainer(String deliveryMailets) {
        return JamesConfFiles.mailetContainer(LOCAL_DOMAIN,
                "            <mailet match=\"RecipientIsLocal\" class=\"LocalDelivery\"/>\n" + deliveryMailets, """
                        <processor state="bounces" enableJmx="false">
                            <mailet match="All" class="DSNBounce">
                                <passThrough>false</passThrough>
                            </mailet>
                        </processor>""");
    }

    /** The webadmin port; only with {@link Builder#webAdmin()}. */
    public int webAdminPort() {
        return server.getProbe(WebAdminGuiceProbe.class).getWebAdminPort().getValue();
    }

    public int smtpPort() {
        return server.getProbe(SmtpGuiceProbe.class).getSmtpPort().getValue();
    }

    /** Hands one message to James over SMTP, as {@code from}, for {@code recipients}. */
    public void send(String from, List<String> recipients, String message) throws IOException {
        try (SMTPMessageSender sender = SMTPMessageSender.noAuthentication("127.0.0.1", smtpPort(), LOCAL_DOMAIN)) {
            sender.sendMessageWithHeaders(from, recipients, message);
        }
    }

    /** Creates a James user of {@value #LOCAL_DOMAIN} (e.g. the postmaster), so that its mail is delivered locally. */
    public void addUser(String address) throws Exception {
        server.getProbe(DataProbeImpl.class).addUser(address, PASSWORD);
    }

    /** The raw messages in the INBOX of a James user (e.g. {@link #SENDER}), oldest first. */
    public List<byte[]> inbox(String user) {
        return server.getProbe(InboxProbe.class).messages(user);
    }

    /** The mails waiting in a named queue, with their recipients, attributes and next delivery time. */
    public List<ManageableMailQueue.MailQueueItemView> queued(String queueName) {
        return server.getProbe(MailQueueProbe.class).browse(queueName);
    }

    public long queueSize(String queueName) {
        return server.getProbe(MailQueueProbe.class).size(queueName);
    }

    /** Mails that reached the error processor (a mailet threw). */
    public long errorCount() throws Exception {
        return server.getProbe(MailRepositoryProbeImpl.class)
                .getRepositoryMailCount(MailRepositoryUrl.from(JamesConfFiles.ERROR_REPOSITORY));
    }

    public long repositoryCount(String url) throws Exception {
        return server.getProbe(MailRepositoryProbeImpl.class).getRepositoryMailCount(MailRepositoryUrl.from(url));
    }

    /** A James counter, e.g. {@link Lmtp#DEFERRED}. */
    public long counter(String metricName) {
        return server.getProbe(MetricsProbe.class).count(metricName);
    }

    @Override
    public void close() {
        server.stop();
    }
}
