package dev.jameslmtp.client;

import java.net.InetAddress;
import java.util.Objects;

import dev.jameslmtp.client.credentials.Credentials;
import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.sasl.SaslPolicy;
import dev.jameslmtp.client.sasl.SaslTerms;
import dev.jameslmtp.client.session.LmtpConnection;
import dev.jameslmtp.client.session.SessionKey;
import dev.jameslmtp.client.session.SessionOpener;
import dev.jameslmtp.client.session.Timeouts;
import dev.jameslmtp.client.tls.TlsPolicy;
import dev.jameslmtp.client.wire.Transcript;
import dev.jameslmtp.client.wire.WireSafety;

/**
 * The LMTP client (RFC 2033): immutable settings from which sessions are opened.
 *
 * <pre>{@code
 * LmtpClient client = LmtpClient.builder().lhloName("james.example.com").build();
 * DeliveryResult result = client.deliver(Destination.parse("unix:/run/dovecot/lmtp"),
 *         Envelope.of("alice@example.com", "bob@example.com"), Content.of(bytes));
 * }</pre>
 *
 * With STARTTLS and AUTH from a password map (see {@code dev.jameslmtp.client.tls} and
 * {@code dev.jameslmtp.client.sasl}):
 * <pre>{@code
 * LmtpClient client = LmtpClient.builder()
 *         .tls(TlsPolicy.builder(TlsLevel.VERIFY).caFile(Path.of("/etc/james/store-ca.pem")).build())
 *         .sasl(SaslPolicy.of(PasswordMapFile.open(Path.of("/etc/james/lmtp_sasl_passwd"), LmtpClient::localHostName))
 *                 .withRequireAuth(true))
 *         .build();
 * }</pre>
 *
 * {@link #deliver} opens a session, runs one transaction and returns one outcome per recipient,
 * sending QUIT without waiting for its reply (see {@link LmtpConnection#quitWithoutWaiting()});
 * it never throws for server or network trouble. {@link #connect} opens a session
 * for several transactions. Thread-safe: settings are immutable and each session is its own.
 */
public final class LmtpClient {

    private final String lhloName;
    private final Timeouts timeouts;
    private final Transcript transcript;
    private final boolean skipQuitResponse;
    private final TlsPolicy tls;
    private final SaslPolicy sasl;
    private final SessionOpener opener;
    /** The SASL terms of every session key, made once: the same instance compares fast in the pool. */
    private final SaslTerms saslTerms;
    private final boolean skip5xxGreeting;
    private final OrcptPolicy orcpt;
    private final boolean useChunking;

    private LmtpClient(Builder builder) {
        this.lhloName = builder.lhloName;
        this.timeouts = builder.timeouts;
        this.transcript = builder.transcript;
        this.skipQuitResponse = builder.skipQuitResponse;
        this.tls = builder.tls;
        this.sasl = builder.sasl;
        this.skip5xxGreeting = builder.skip5xxGreeting;
        this.orcpt = builder.orcpt;
        this.useChunking = builder.useChunking;
        this.opener = new SessionOpener(lhloName, timeouts, tls, sasl, skip5xxGreeting);
        this.saslTerms = sasl.terms();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Connects, reads the greeting, sends LHLO, and when configured STARTTLS (then LHLO again) and
     * AUTH.
     *
     * @throws LmtpConnectException when the session cannot be opened; its verdict applies to every recipient
     */
    public LmtpConnection connect(Destination destination) throws LmtpConnectException {
        return connect(destination, transcript);
    }

    /**
     * What a session opened now for {@code destination} would be: destination, TLS policy, SASL
     * identity (no password) and SASL terms. Credentials are looked up now, so a password map edited since the last
     * call gives a different key. For connection pools: reuse only sessions with an equal key.
     */
    public SessionKey sessionKey(Destination destination) {
        return new SessionKey(destination, tls, sasl.credentials().forDestination(destination).map(Credentials::identity), saslTerms);
    }

    /**
     * As {@link #connect(Destination)}, writing the conversation to {@code transcript} instead of
     * this client's own: a connection cache hands each borrower's transcript on this way.
     */
    public LmtpConnection connect(Destination destination, Transcript transcript) throws LmtpConnectException {
        return LmtpConnection.open(opener, Objects.requireNonNull(destination, "destination"), Objects.requireNonNull(transcript, "transcript"),
                skipQuitResponse, orcpt, useChunking);
    }

    /**
     * One transaction on a session of its own; every recipient gets exactly one outcome. Returns as
     * soon as the outcomes are known: QUIT neither delays nor changes them.
     */
    public DeliveryResult deliver(Destination destination, Envelope envelope, Content content) {
        LmtpConnection connection;
        try {
            connection = connect(destination);
        } catch (LmtpConnectException e) {
            return DeliveryResult.sameFor(destination.toString(), envelope, e.verdict());
        }
        try {
            return connection.deliver(envelope, content);
        } finally {
            connection.quitWithoutWaiting();
        }
    }

    public String lhloName() {
        return lhloName;
    }

    public Timeouts timeouts() {
        return timeouts;
    }

    public boolean skip5xxGreeting() {
        return skip5xxGreeting;
    }

    /** Whether ORCPT goes to stores that do not offer DSN ({@code orcptWithoutDsn}). */
    public OrcptPolicy orcpt() {
        return orcpt;
    }

    /** Whether the message goes in BDAT chunks to a server that offers CHUNKING ({@code useChunking}). */
    public boolean useChunking() {
        return useChunking;
    }

    public TlsPolicy tls() {
        return tls;
    }

    public SaslPolicy sasl() {
        return sasl;
    }

    public Transcript transcript() {
        return transcript;
    }

    /**
     * This machine's host name, as Postfix's {@code $myhostname}: the system host name, or its
     * fully qualified form when the resolver knows one; {@code localhost} if there is none.
     */
    public static String localHostName() {
        try {
            InetAddress local = InetAddress.getLocalHost();
            String name = local.getHostName();
            if (!name.contains(".")) {
                String canonical = local.getCanonicalHostName();
                if (canonical.startsWith(name + ".")) {
                    name = canonical;
                }
            }
            return name.matches("[\\x21-\\x7e]+") ? name : "localhost";
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }

    public static final class Builder {
        private String lhloName;
        private Timeouts timeouts = Timeouts.defaults();
        private Transcript transcript = Transcript.NONE;
        private boolean skipQuitResponse;
        private TlsPolicy tls = TlsPolicy.NONE;
        private SaslPolicy sasl = SaslPolicy.NONE;
        private boolean skip5xxGreeting = true;
        private OrcptPolicy orcpt = OrcptPolicy.AUTO;
        private boolean useChunking = true;

        private Builder() {
        }

        /** The LHLO argument; default: this machine's host name. */
        public Builder lhloName(String lhloName) {
            this.lhloName = WireSafety.requireLhloName(Objects.requireNonNull(lhloName, "lhloName"));
            return this;
        }

        public Builder timeouts(Timeouts timeouts) {
            this.timeouts = Objects.requireNonNull(timeouts, "timeouts");
            return this;
        }

        /** Where {@code C:}/{@code S:} lines go; default: nowhere. */
        public Builder transcript(Transcript transcript) {
            this.transcript = Objects.requireNonNull(transcript, "transcript");
            return this;
        }

        /** Do not wait for the reply to QUIT (Postfix's {@code lmtp_skip_quit_response}); default false. */
        public Builder skipQuitResponse(boolean skip) {
            this.skipQuitResponse = skip;
            return this;
        }

        /**
         * True (the default, as Postfix's {@code lmtp_skip_5xx_greeting}): a 5xx greeting or 5xx
         * LHLO reply defers every recipient, with the status made temporary and the server's reply in
         * the text. False: it bounces them with the server's own status.
         */
        public Builder skip5xxGreeting(boolean skip) {
            this.skip5xxGreeting = skip;
            return this;
        }

        /** STARTTLS or implicit TLS; default: none. */
        /** ORCPT to stores that do not offer DSN: {@link OrcptPolicy#AUTO} (Dovecot only) unless set. */
        public Builder orcpt(OrcptPolicy orcpt) {
            this.orcpt = Objects.requireNonNull(orcpt, "orcpt");
            return this;
        }

        /**
         * True (the default): the message goes in BDAT chunks (RFC 3030) to a server that offers
         * CHUNKING, DATA to any other. False: always DATA.
         */
        public Builder useChunking(boolean useChunking) {
            this.useChunking = useChunking;
            return this;
        }

        public Builder tls(TlsPolicy tls) {
            this.tls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        /** SASL authentication; default: none. */
        public Builder sasl(SaslPolicy sasl) {
            this.sasl = Objects.requireNonNull(sasl, "sasl");
            return this;
        }

        public LmtpClient build() {
            if (lhloName == null) {
                lhloName = localHostName();
            }
            return new LmtpClient(this);
        }
    }
}
