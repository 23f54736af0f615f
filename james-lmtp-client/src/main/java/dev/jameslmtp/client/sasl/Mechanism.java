package dev.jameslmtp.client.sasl;

import java.util.Locale;
import java.util.Optional;

import dev.jameslmtp.client.credentials.Credentials;

/**
 * The SASL mechanisms this client speaks, strongest first: the order in which one is chosen
 * among those both sides allow. The {@code -PLUS} variants bind the exchange to the TLS session
 * ({@link ChannelBinding}): chosen only on TLS with a binding ({@code saslChannelBinding}), and
 * then before any mechanism without binding.
 */
public enum Mechanism {
    SCRAM_SHA_256_PLUS("SCRAM-SHA-256-PLUS", false, true),
    SCRAM_SHA_1_PLUS("SCRAM-SHA-1-PLUS", false, true),
    SCRAM_SHA_256("SCRAM-SHA-256", false, false),
    SCRAM_SHA_1("SCRAM-SHA-1", false, false),
    CRAM_MD5("CRAM-MD5", false, false),
    PLAIN("PLAIN", true, false),
    LOGIN("LOGIN", true, false);

    private final String saslName;
    private final boolean plaintext;
    private final boolean channelBinding;

    Mechanism(String saslName, boolean plaintext, boolean channelBinding) {
        this.saslName = saslName;
        this.plaintext = plaintext;
        this.channelBinding = channelBinding;
    }

    /** True for the {@code -PLUS} mechanisms, which need a {@link ChannelBinding}. */
    public boolean channelBinding() {
        return channelBinding;
    }

    /** True for the SCRAM family, with or without binding. */
    public boolean scram() {
        return saslName.startsWith("SCRAM-");
    }

    /** The name as in {@code AUTH SCRAM-SHA-256}. */
    public String saslName() {
        return saslName;
    }

    /** True when the password crosses the wire as it is (PLAIN, LOGIN): Postfix's {@code noplaintext} forbids these. */
    public boolean plaintext() {
        return plaintext;
    }

    /** Starts one exchange for {@code credentials}, without channel binding. */
    public SaslExchange start(Credentials credentials) {
        return start(credentials, Optional.empty());
    }

    /**
     * Starts one exchange for {@code credentials}. For SCRAM, {@code binding} is the session's
     * channel binding when the client is to announce it: required by a {@code -PLUS} mechanism
     * ({@code p=}); given to a SCRAM mechanism without binding only when the server offered no
     * {@code -PLUS} mechanism ({@code y}); otherwise empty ({@code n}). Other mechanisms ignore it.
     */
    public SaslExchange start(Credentials credentials, Optional<ChannelBinding> binding) {
        return start(credentials, binding, ScramIterations.DEFAULT);
    }

    /** As above; a SCRAM exchange refuses a server whose iteration count {@code iterations} does not accept. */
    public SaslExchange start(Credentials credentials, Optional<ChannelBinding> binding, ScramIterations iterations) {
        if (channelBinding && binding.isEmpty()) {
            throw new IllegalArgumentException(saslName + " needs a channel binding");
        }
        return switch (this) {
            case SCRAM_SHA_256_PLUS, SCRAM_SHA_1_PLUS, SCRAM_SHA_256, SCRAM_SHA_1 -> new ScramExchange(this, credentials, binding, iterations);
            case CRAM_MD5 -> new CramMd5Exchange(credentials);
            case PLAIN -> new PlainExchange(credentials);
            case LOGIN -> new LoginExchange(credentials);
        };
    }

    /** The mechanism of that SASL name, case-insensitive. */
    public static Optional<Mechanism> named(String name) {
        String upper = name.strip().toUpperCase(Locale.ROOT);
        for (Mechanism mechanism : values()) {
            if (mechanism.saslName.equals(upper)) {
                return Optional.of(mechanism);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return saslName;
    }
}
