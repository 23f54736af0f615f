package dev.jameslmtp.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.net.ssl.SSLContext;

import org.apache.james.core.MailAddress;
import org.apache.james.core.Username;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.protocols.api.OidcSASLConfiguration;
import org.apache.james.protocols.api.handler.CommandDispatcher;
import org.apache.james.protocols.api.handler.CommandHandlerResultLogger;
import org.apache.james.protocols.api.handler.ProtocolHandler;
import org.apache.james.protocols.lmtp.LMTPConfiguration;
import org.apache.james.protocols.lmtp.core.DataLineMessageHookHandler;
import org.apache.james.protocols.lmtp.core.LhloCmdHandler;
import org.apache.james.protocols.lmtp.core.ReceivedDataLineFilter;
import org.apache.james.protocols.lmtp.core.WelcomeMessageHandler;
import org.apache.james.protocols.lmtp.hook.DeliverToRecipientHook;
import org.apache.james.protocols.netty.Encryption;
import org.apache.james.protocols.netty.NettyServer;
import org.apache.james.protocols.smtp.MailEnvelope;
import org.apache.james.protocols.smtp.SMTPProtocol;
import org.apache.james.protocols.smtp.SMTPProtocolHandlerChain;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.DataCmdHandler;
import org.apache.james.protocols.smtp.core.MailCmdHandler;
import org.apache.james.protocols.smtp.core.NoopCmdHandler;
import org.apache.james.protocols.smtp.core.QuitCmdHandler;
import org.apache.james.protocols.smtp.core.RcptCmdHandler;
import org.apache.james.protocols.smtp.core.RsetCmdHandler;
import org.apache.james.protocols.smtp.core.UnknownCmdHandler;
import org.apache.james.protocols.smtp.core.esmtp.AuthCmdHandler;
import org.apache.james.protocols.smtp.core.esmtp.StartTlsCmdHandler;
import org.apache.james.protocols.smtp.hook.AuthHook;
import org.apache.james.protocols.smtp.hook.HookResult;

/**
 * James Protocols' LMTP server (protocols-lmtp 3.8.1) in the JVM, with what the stock
 * {@code lmtpserver.xml} does not offer: STARTTLS ({@code Encryption.createStartTls}) and AUTH
 * (James's {@code AuthCmdHandler}, PLAIN and LOGIN, with an {@link AuthHook} that knows one user).
 * AUTH is announced only after STARTTLS, as a careful server does. Delivered messages are kept
 * with their recipients. Listens on 127.0.0.1, a port the kernel picks.
 */
final class JamesProtocolsLmtpServer implements AutoCloseable {

    /** One delivered recipient and the message as James received it. */
    record Delivery(MailAddress recipient, byte[] message) {
    }

    private final NettyServer server;
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private final List<String> authentications = new CopyOnWriteArrayList<>();

    JamesProtocolsLmtpServer(SSLContext tls, String user, String password) throws Exception {
        SMTPProtocolHandlerChain chain = new Chain();
        chain.add(new PasswordCheck(user, password));
        chain.add((DeliverToRecipientHook) this::deliver);
        chain.wireExtensibleHandlers();
        server = new NettyServer.Factory()
                .protocol(new SMTPProtocol(chain, new Configuration()))
                .secure(Encryption.createStartTls(tls))
                .build();
        server.setListenAddresses(new InetSocketAddress("127.0.0.1", 0));
        server.bind();
    }

    int port() {
        return server.getListenAddresses().get(0).getPort();
    }

    List<Delivery> deliveries() {
        return List.copyOf(deliveries);
    }

    /** The user of each successful AUTH. */
    List<String> authentications() {
        return List.copyOf(authentications);
    }

    @Override
    public void close() {
        server.unbind();
    }

    private HookResult deliver(SMTPSession session, MailAddress recipient, MailEnvelope envelope) {
        try (InputStream in = envelope.getMessageInputStream()) {
            deliveries.add(new Delivery(recipient, in.readAllBytes()));
            return HookResult.OK;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The handlers of an LMTP server, plus STARTTLS and AUTH. */
    private static final class Chain extends SMTPProtocolHandlerChain {
        Chain() {
            super(new RecordingMetricFactory());
        }

        @Override
        protected List<ProtocolHandler> initDefaultHandlers() {
            RecordingMetricFactory metrics = new RecordingMetricFactory();
            List<ProtocolHandler> handlers = new ArrayList<>();
            handlers.add(new CommandDispatcher<SMTPSession>());
            handlers.add(new LhloCmdHandler(metrics));
            handlers.add(new MailCmdHandler(metrics));
            handlers.add(new RcptCmdHandler(metrics));
            handlers.add(new DataCmdHandler(metrics));
            handlers.add(new NoopCmdHandler());
            handlers.add(new RsetCmdHandler());
            handlers.add(new QuitCmdHandler(metrics));
            handlers.add(new StartTlsCmdHandler());
            handlers.add(new AuthCmdHandler());
            handlers.add(new WelcomeMessageHandler());
            handlers.add(new ReceivedDataLineFilter());
            handlers.add(new DataLineMessageHookHandler());
            handlers.add(new UnknownCmdHandler(metrics));
            handlers.add(new CommandHandlerResultLogger());
            return handlers;
        }
    }

    /** AUTH announced after STARTTLS only; PLAIN allowed. */
    private static final class Configuration extends LMTPConfiguration {
        Configuration() {
            super("james-protocols.test");
        }

        @Override
        public long getMaxMessageSize() {
            return 0;
        }

        @Override
        public boolean isAuthAnnounced(String remoteIP, boolean tlsStarted) {
            return tlsStarted;
        }

        @Override
        public boolean isPlainAuthEnabled() {
            return true;
        }

        @Override
        public Optional<OidcSASLConfiguration> saslConfiguration() {
            return Optional.empty();
        }
    }

    /** Knows one user and password. */
    private final class PasswordCheck implements AuthHook {
        private final String user;
        private final String password;

        PasswordCheck(String user, String password) {
            this.user = user;
            this.password = password;
        }

        @Override
        public HookResult doAuth(SMTPSession session, Username username, String given) {
            if (username.asString().equals(user) && password.equals(given)) {
                authentications.add(username.asString());
                return HookResult.OK;
            }
            return HookResult.DECLINED;
        }

        @Override
        public HookResult doSasl(SMTPSession session, OidcSASLConfiguration configuration, String initialResponse) {
            return HookResult.DECLINED;
        }
    }
}
