package dev.jameslmtp.client.session;

import java.io.IOException;
import java.net.Socket;
import java.util.Optional;

import javax.net.ssl.SSLSession;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.LmtpConnectException;
import dev.jameslmtp.client.credentials.Credentials;
import dev.jameslmtp.client.outcome.Trouble;
import dev.jameslmtp.client.sasl.ChannelBinding;
import dev.jameslmtp.client.sasl.ChannelBindingType;
import dev.jameslmtp.client.sasl.Mechanism;
import dev.jameslmtp.client.sasl.MechanismChoice;
import dev.jameslmtp.client.sasl.Protection;
import dev.jameslmtp.client.sasl.SaslPolicy;
import dev.jameslmtp.client.tls.ServerEndPoint;
import dev.jameslmtp.client.tls.TlsLevel;
import dev.jameslmtp.client.tls.TlsPolicy;
import dev.jameslmtp.client.wire.Command;
import dev.jameslmtp.client.wire.Connector;
import dev.jameslmtp.client.wire.LmtpProtocolException;
import dev.jameslmtp.client.wire.Reply;
import dev.jameslmtp.client.wire.Transcript;
import dev.jameslmtp.client.wire.Wire;

/**
 * The opening of a session, up to the first transaction:
 *
 * <pre>
 * connect [TLS handshake, wrapper mode] → greeting → LHLO
 *         [→ STARTTLS → TLS handshake → LHLO again, earlier capabilities forgotten]
 *         [→ AUTH]
 * </pre>
 *
 * <p>TLS follows {@link TlsPolicy}: at {@code may} a refused STARTTLS continues in clear, a failed
 * handshake opens a new connection in clear; at {@code encrypt} and {@code verify} any of these
 * fails the session (4.7.4, 4.7.5) before a byte of mail is sent. AUTH follows {@link SaslPolicy}:
 * credentials looked up once per connection, the strongest mechanism allowed for this connection's
 * {@link Protection} (in clear, TLS unverified at {@code may} and {@code encrypt}, TLS verified at
 * {@code verify} or a trusted UNIX socket), a refusal remembered in the failure cache. Any failure closes the connection: it is
 * never used, nor handed back to a pool.
 *
 * <p>A 5xx greeting or LHLO reply defers every recipient when {@code skip5xxGreeting} is on (the
 * default, as Postfix's {@code lmtp_skip_5xx_greeting = yes}): a store misconfigured for a minute
 * must not bounce a queue.
 *
 * <p>Logs name the destination, user and mechanism, never a password.
 */
public final class SessionOpener {

    /** Obtained when something is logged: a plain run of the lmtp command sets up no logging. */
    private static Logger log() {
        return LoggerFactory.getLogger(SessionOpener.class);
    }

    /** An open session: its wire, the last LHLO reply and how it was secured. */
    String lhloName() {
        return lhloName;
    }

    record Opened(Wire wire, Reply greeting, Reply lhlo, SessionInfo info) {
    }

    private final String lhloName;
    private final Timeouts timeouts;
    private final TlsPolicy tls;
    private final SaslPolicy sasl;
    private final boolean skip5xxGreeting;

    public SessionOpener(String lhloName, Timeouts timeouts, TlsPolicy tls, SaslPolicy sasl, boolean skip5xxGreeting) {
        this.lhloName = lhloName;
        this.timeouts = timeouts;
        this.tls = tls;
        this.sasl = sasl;
        this.skip5xxGreeting = skip5xxGreeting;
    }

    Opened open(Destination destination, Transcript transcript) throws LmtpConnectException {
        TlsLevel level = tls.levelFor(destination);
        try {
            return attempt(destination, level, transcript);
        } catch (ClearFallback e) {
            log().warn("{}: TLS handshake failed ({}); TLS level is may: delivering in clear on a new connection",
                    destination, e.getCause() == null ? "?" : Transcript.neutralise(String.valueOf(e.getCause().getMessage())));
            try {
                return attempt(destination, TlsLevel.NONE, transcript);
            } catch (ClearFallback impossible) {
                throw new IllegalStateException("no TLS at level none", impossible);
            }
        }
    }

    private Opened attempt(Destination destination, TlsLevel level, Transcript transcript) throws LmtpConnectException, ClearFallback {
        String peer = destination.toString();
        Socket socket;
        try {
            socket = Connector.open(destination, timeouts.of(Stage.CONNECT));
        } catch (IOException e) {
            throw new LmtpConnectException(Trouble.ofException(Stage.CONNECT, peer, e), e);
        }
        Wire wire = null;
        try {
            wire = new Wire(socket, peer, timeouts, transcript);
            if (tls.wrapperMode() && level != TlsLevel.NONE) {
                handshakeFirst(wire, destination);
            }
            wire.stage(Stage.GREETING);
            Reply greeting = wire.read();
            if (!greeting.isPositive()) {
                throw new LmtpConnectException(Trouble.ofSessionRefusal(Stage.GREETING, greeting, peer, skip5xxGreeting), null);
            }
            Reply lhlo = lhlo(wire);
            if (wire.tlsSession().isEmpty() && level != TlsLevel.NONE) {
                lhlo = startTls(wire, destination, level, lhlo);
            }
            SessionInfo info = wire.tlsSession().map(SessionOpener::describe).orElse(SessionInfo.PLAIN);
            info = authenticate(wire, destination, Capabilities.from(lhlo), info, level);
            return new Opened(wire, greeting, lhlo, info);
        } catch (LmtpConnectException | ClearFallback e) {
            closeQuietly(wire, socket);
            throw e;
        } catch (IOException e) {
            Stage stage = wire != null ? wire.stage() : Stage.GREETING;
            closeQuietly(wire, socket);
            throw new LmtpConnectException(Trouble.ofException(stage, peer, e), e);
        }
    }

    private Reply lhlo(Wire wire) throws IOException {
        wire.stage(Stage.LHLO);
        wire.send(Command.of("LHLO " + lhloName));
        Reply lhlo = wire.read();
        if (!lhlo.isPositive()) {
            throw new LmtpConnectException(Trouble.ofSessionRefusal(Stage.LHLO, lhlo, wire.peer(), skip5xxGreeting), null);
        }
        return lhlo;
    }

    /** Wrapper mode: TLS from the first byte, the whole handshake within the STARTTLS stage's timeout. */
    private void handshakeFirst(Wire wire, Destination destination) throws IOException {
        wire.stage(Stage.STARTTLS);
        try {
            wire.handshake(plain -> tls.layer(plain, destination));
        } catch (IOException e) {
            throw new LmtpConnectException(Trouble.tlsFailed(destination.toString(), e), e);
        }
    }

    /** STARTTLS when offered; returns the LHLO reply that now holds (the new one after TLS). */
    private Reply startTls(Wire wire, Destination destination, TlsLevel level, Reply lhlo) throws IOException {
        String peer = destination.toString();
        if (!Capabilities.from(lhlo).has("STARTTLS")) {
            if (level.mandatory()) {
                throw new LmtpConnectException(Trouble.tlsUnavailable(peer, "the server does not offer STARTTLS"), null);
            }
            return lhlo;
        }
        wire.stage(Stage.STARTTLS);
        wire.send(Command.of("STARTTLS"));
        Reply reply = wire.read();
        if (reply.code() != 220) {
            if (level.mandatory() || reply.code() == 421) {
                throw new LmtpConnectException(Trouble.tlsUnavailable(peer,
                        "the server refused STARTTLS: " + Transcript.neutralise(reply.toString())), null);
            }
            log().info("{}: STARTTLS refused ({}); TLS level is may: continuing in clear", peer, Transcript.neutralise(reply.toString()));
            return lhlo;
        }
        try {
            SSLSession session = wire.startTls(plain -> tls.layer(plain, destination));
            log().debug("{}: TLS established: {} {}", peer, session.getProtocol(), session.getCipherSuite());
        } catch (LmtpProtocolException e) {
            throw e;
        } catch (IOException e) {
            if (level == TlsLevel.MAY) {
                throw new ClearFallback(e);
            }
            throw new LmtpConnectException(Trouble.tlsFailed(peer, e), e);
        }
        return lhlo(wire);
    }

    private SessionInfo authenticate(Wire wire, Destination destination, Capabilities capabilities, SessionInfo info,
                                     TlsLevel level) throws IOException {
        String peer = destination.toString();
        Optional<Credentials> found = sasl.credentials().forDestination(destination);
        if (found.isEmpty()) {
            if (sasl.requireAuth()) {
                throw new LmtpConnectException(Trouble.authImpossible(peer,
                        "authentication is required (requireAuth) but there are no credentials for this destination"), null);
            }
            return info;
        }
        Credentials credentials = found.get();
        if (!capabilities.has("AUTH")) {
            if (sasl.requireAuth()) {
                throw new LmtpConnectException(Trouble.authImpossible(peer,
                        "authentication is required (requireAuth) but the server does not offer AUTH"), null);
            }
            log().debug("{}: the server does not offer AUTH; going on without authentication", peer);
            return info;
        }
        Protection protection = destination instanceof Destination.Unix && sasl.trustUnixSocket() ? Protection.VERIFIED
                : !info.encrypted() ? Protection.CLEAR
                : level == TlsLevel.VERIFY ? Protection.VERIFIED : Protection.ENCRYPTED;
        Optional<ChannelBinding> binding = channelBinding(wire);
        Optional<Mechanism> chosen = MechanismChoice.choose(capabilities.authMechanisms(), sasl.mechanisms(),
                sasl.optionsFor(protection), binding.isPresent());
        if (chosen.isEmpty()) {
            throw new LmtpConnectException(Trouble.authImpossible(peer, "server offered no compatible authentication mechanisms "
                    + "for this type of connection security (offered: " + capabilities.authMechanisms() + ", security options: "
                    + sasl.optionsFor(protection) + " for " + protection.description() + ")"), null);
        }
        Mechanism mechanism = chosen.get();
        Optional<String> remembered = sasl.failureCache().refusal(peer, credentials);
        if (remembered.isPresent()) {
            log().warn("{}: not trying SASL authentication as {} again: it was refused recently ({})", peer, credentials.user(),
                    remembered.get());
            throw new LmtpConnectException(Trouble.authRemembered(peer, remembered.get(), sasl.softBounce()), null);
        }
        // p= for a -PLUS mechanism; y for SCRAM when we could bind but the server offered no -PLUS; else n
        Optional<ChannelBinding> announced = mechanism.channelBinding()
                || mechanism.scram() && !MechanismChoice.offersChannelBinding(capabilities.authMechanisms()) ? binding : Optional.empty();
        SaslConversation.Result result = SaslConversation.run(wire, mechanism.start(credentials, announced, sasl.scramIterations()));
        if (result instanceof SaslConversation.Refused refused) {
            Reply reply = refused.reply();
            log().warn("{}: SASL authentication as {} with {} failed: {}", peer, credentials.user(), mechanism,
                    Transcript.neutralise(reply.toString()));
            if (reply.code() == 421) {
                throw new LmtpConnectException(Trouble.ofReply(Stage.AUTH, reply), null);
            }
            if (reply.isPermanentNegative()) {
                sasl.failureCache().remember(peer, credentials, reply.toString());
            }
            throw new LmtpConnectException(Trouble.authRefused(peer, reply, sasl.softBounce()), null);
        }
        if (result instanceof SaslConversation.Broken broken) {
            log().warn("{}: SASL authentication as {} with {} failed: {}", peer, credentials.user(), mechanism, broken.why());
            throw new LmtpConnectException(Trouble.authImpossible(peer, mechanism + " exchange failed: " + broken.why()), null);
        }
        log().debug("{}: authenticated as {} with {}", peer, credentials.user(), mechanism);
        return info.withAuth(mechanism, credentials.user());
    }

    /** The session's channel binding when TLS is up and {@code saslChannelBinding} asks for one. */
    private Optional<ChannelBinding> channelBinding(Wire wire) {
        if (sasl.channelBinding() != ChannelBindingType.TLS_SERVER_END_POINT) {
            return Optional.empty();
        }
        return wire.tlsSession().flatMap(ServerEndPoint::of);
    }

    private static SessionInfo describe(SSLSession session) {
        return new SessionInfo(Optional.of(session.getProtocol()), Optional.of(session.getCipherSuite()), Optional.empty(),
                Optional.empty());
    }

    private static void closeQuietly(Wire wire, Socket socket) {
        if (wire != null) {
            wire.close();
        } else {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }

    /** At level may, a failed handshake: the caller starts over in clear. */
    private static final class ClearFallback extends IOException {
        private static final long serialVersionUID = 1L;

        ClearFallback(IOException cause) {
            super(cause);
        }
    }
}
