package dev.jameslmtp.client.tls;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.credentials.Secret;

/**
 * How sessions use TLS: the {@link TlsLevel}, implicit TLS from the first byte ({@code
 * wrapperMode}, Postfix's {@code lmtp_tls_wrappermode}) instead of STARTTLS, the trust anchors
 * for {@code verify} (a PEM CA file or a PKCS#12/JKS trust store, else the JDK's), an optional client
 * certificate and key (PEM files or a PKCS#12/JKS key store),
 * the protocols (default TLSv1.3 and TLSv1.2; nothing older is accepted) and optionally the cipher
 * suites. Immutable; built once.
 *
 * <p>{@link #layer} puts a client TLS socket over a connected socket: at {@code verify} the chain
 * is checked (PKIX) and the certificate must name the destination host (HTTPS rules: DNS name or
 * IP address in the subject alternative names); below {@code verify} nothing is checked.
 *
 * <p>DIAGNOSTICS: {@link Builder#build} throws {@link IllegalArgumentException} naming the file
 * that cannot be read (a key store with a wrong password: "wrong password or damaged file", never
 * the password), PEM files and a store given together, or the protocol or cipher that is refused.
 */
public final class TlsPolicy {

    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    private static final Set<String> ACCEPTED_PROTOCOLS = Set.copyOf(DEFAULT_PROTOCOLS);

    /** No TLS. */
    public static final TlsPolicy NONE = new TlsPolicy(TlsLevel.NONE, false, null, null, DEFAULT_PROTOCOLS, Optional.empty(), "none");

    private final TlsLevel level;
    private final boolean wrapperMode;
    private final SSLContext verifying;
    private final SSLContext unchecked;
    private final List<String> protocols;
    private final Optional<List<String>> ciphers;
    private final String description;

    private TlsPolicy(TlsLevel level, boolean wrapperMode, SSLContext verifying, SSLContext unchecked, List<String> protocols,
                      Optional<List<String>> ciphers, String description) {
        this.level = level;
        this.wrapperMode = wrapperMode;
        this.verifying = verifying;
        this.unchecked = unchecked;
        this.protocols = protocols;
        this.ciphers = ciphers;
        this.description = description;
    }

    public static Builder builder(TlsLevel level) {
        return new Builder(level);
    }

    public TlsLevel level() {
        return level;
    }

    public boolean wrapperMode() {
        return wrapperMode;
    }

    /** The level that applies to {@code destination}: {@code may} on a UNIX socket is {@code none}, as in Postfix. */
    public TlsLevel levelFor(Destination destination) {
        return destination instanceof Destination.Unix && level == TlsLevel.MAY ? TlsLevel.NONE : level;
    }

    /** A client TLS socket over {@code socket}, not yet shaken hands; closing it closes {@code socket}. */
    public SSLSocket layer(Socket socket, Destination destination) throws IOException {
        if (level == TlsLevel.NONE) {
            throw new IllegalStateException("TLS level none");
        }
        String host = destination instanceof Destination.Inet inet ? inet.host() : "localhost";
        int port = destination instanceof Destination.Inet inet ? inet.port() : 0;
        SSLContext context = level == TlsLevel.VERIFY ? verifying : unchecked;
        SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(socket, host, port, true);
        ssl.setUseClientMode(true);
        SSLParameters parameters = ssl.getSSLParameters();
        parameters.setProtocols(protocols.toArray(new String[0]));
        ciphers.ifPresent(list -> parameters.setCipherSuites(list.toArray(new String[0])));
        if (destination instanceof Destination.Inet inet) {
            if (level == TlsLevel.VERIFY) {
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
            }
            if (!inet.numeric()) {
                parameters.setServerNames(List.of(new SNIHostName(inet.host())));
            }
        }
        ssl.setSSLParameters(parameters);
        return ssl;
    }

    /** Level, mode and trust anchors: what a connection pool must tell apart. */
    @Override
    public String toString() {
        return description;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TlsPolicy that && description.equals(that.description);
    }

    @Override
    public int hashCode() {
        return description.hashCode();
    }

    public static final class Builder {
        private final TlsLevel level;
        private boolean wrapperMode;
        private Optional<Path> caFile = Optional.empty();
        private Optional<SSLContext> verifyingContext = Optional.empty();
        private Optional<Path> certificateFile = Optional.empty();
        private Optional<Path> keyFile = Optional.empty();
        private Optional<Path> trustStore = Optional.empty();
        private Optional<Secret> trustStorePassword = Optional.empty();
        private Optional<Path> keyStore = Optional.empty();
        private Optional<Secret> keyStorePassword = Optional.empty();
        private List<String> protocols = DEFAULT_PROTOCOLS;
        private Optional<List<String>> ciphers = Optional.empty();

        private Builder(TlsLevel level) {
            this.level = Objects.requireNonNull(level, "level");
        }

        /** Implicit TLS: the handshake comes first, no STARTTLS. */
        public Builder wrapperMode(boolean wrapper) {
            this.wrapperMode = wrapper;
            return this;
        }

        /** The CA certificates (PEM, one or more) that {@code verify} trusts instead of the JDK's. */
        public Builder caFile(Path file) {
            this.caFile = Optional.of(file);
            return this;
        }

        /** The context {@code verify} uses, for tests and embedders (overrides {@link #caFile}, {@link #trustStore} and, at {@code verify}, the client certificate). */
        public Builder verifyingContext(SSLContext context) {
            this.verifyingContext = Optional.of(context);
            return this;
        }

        /** A client certificate (PEM chain) and its unencrypted PKCS#8 key (PEM). */
        public Builder clientCertificate(Path certificate, Path key) {
            this.certificateFile = Optional.of(certificate);
            this.keyFile = Optional.of(key);
            return this;
        }

        /**
         * A PKCS#12 or JKS trust store that {@code verify} trusts instead of the JDK's CAs (the
         * type is read from the file); its password may be absent. Not with {@link #caFile}.
         */
        public Builder trustStore(Path file, Optional<Secret> password) {
            this.trustStore = Optional.of(file);
            this.trustStorePassword = Objects.requireNonNull(password, "password");
            return this;
        }

        /**
         * A PKCS#12 or JKS key store holding the client's private key and certificate chain, the
         * key protected by the store's password. Not with {@link #clientCertificate}.
         */
        public Builder keyStore(Path file, Secret password) {
            this.keyStore = Optional.of(file);
            this.keyStorePassword = Optional.of(Objects.requireNonNull(password, "password"));
            return this;
        }

        /** The protocols to offer; only TLSv1.2 and TLSv1.3 are accepted. */
        public Builder protocols(List<String> list) {
            for (String protocol : list) {
                if (!ACCEPTED_PROTOCOLS.contains(protocol)) {
                    throw new IllegalArgumentException("TLS protocol '" + protocol + "' is not accepted (accepted: TLSv1.2, TLSv1.3)");
                }
            }
            if (list.isEmpty()) {
                throw new IllegalArgumentException("no TLS protocol given (accepted: TLSv1.2, TLSv1.3)");
            }
            this.protocols = List.copyOf(list);
            return this;
        }

        /** The cipher suites to offer (JSSE names); default: the JDK's. */
        public Builder ciphers(List<String> list) {
            try {
                Set<String> supported = Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
                for (String cipher : list) {
                    if (!supported.contains(cipher)) {
                        throw new IllegalArgumentException("TLS cipher suite '" + cipher + "' is not supported by this JDK");
                    }
                }
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
            if (list.isEmpty()) {
                throw new IllegalArgumentException("no TLS cipher suite given");
            }
            this.ciphers = Optional.of(List.copyOf(list));
            return this;
        }

        public TlsPolicy build() {
            if (level == TlsLevel.NONE) {
                return NONE;
            }
            if (caFile.isPresent() && trustStore.isPresent()) {
                throw new IllegalArgumentException("a CA file and a trust store are both given: use one or the other");
            }
            if (certificateFile.isPresent() && keyStore.isPresent()) {
                throw new IllegalArgumentException("PEM client certificate files and a key store are both given: use one or the other");
            }
            KeyManager[] keyManagers = keyStore.isPresent()
                    ? KeyMaterial.keyManagers(keyStore.get(), keyStorePassword.orElseThrow())
                    : certificateFile.map(certificate -> KeyMaterial.keyManagers(certificate, keyFile.orElseThrow())).orElse(null);
            SSLContext verifying = verifyingContext.orElseGet(() ->
                    KeyMaterial.context(keyManagers, KeyMaterial.trustManagers(caFile, trustStore, trustStorePassword)));
            SSLContext unchecked = KeyMaterial.context(keyManagers, new TrustManager[] {UncheckedTrust.INSTANCE});
            String description = level + (wrapperMode ? " wrapper" : "")
                    + (verifyingContext.isPresent() ? " trust=context@" + Integer.toHexString(System.identityHashCode(verifying))
                    : caFile.map(f -> " ca=" + f).or(() -> trustStore.map(f -> " truststore=" + f)).orElse(" ca=jdk"))
                    + certificateFile.map(f -> " cert=" + f).orElse("") + keyStore.map(f -> " keystore=" + f).orElse("")
                    + " protocols=" + protocols + ciphers.map(c -> " ciphers=" + c).orElse("");
            return new TlsPolicy(level, wrapperMode, verifying, unchecked, protocols, ciphers, description);
        }
    }
}
