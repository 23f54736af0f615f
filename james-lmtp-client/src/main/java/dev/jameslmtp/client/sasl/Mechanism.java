package dev.jameslmtp.client.sasl;

import java.util.Locale;
import java.util.Optional;

/**
 * The SASL mechanisms this client speaks, strongest first: the order in which one is chosen
 * among those both sides allow. {@code -PLUS} variants (channel binding) are not implemented and
 * never chosen.
 */
public enum Mechanism {
    SCRAM_SHA_256("SCRAM-SHA-256", false),
    SCRAM_SHA_1("SCRAM-SHA-1", false),
    CRAM_MD5("CRAM-MD5", false),
    PLAIN("PLAIN", true),
    LOGIN("LOGIN", true);

    private final String saslName;
    private final boolean plaintext;

    Mechanism(String saslName, boolean plaintext) {
        this.saslName = saslName;
        this.plaintext = plaintext;
    }

    /** The name as in {@code AUTH SCRAM-SHA-256}. */
    public String saslName() {
        return saslName;
    }

    /** True when the password crosses the wire as it is (PLAIN, LOGIN): Postfix's {@code noplaintext} forbids these. */
    public boolean plaintext() {
        return plaintext;
    }

    /** Starts one exchange for {@code credentials}. */
    public SaslExchange start(Credentials credentials) {
        return switch (this) {
            case SCRAM_SHA_256, SCRAM_SHA_1 -> new ScramExchange(this, credentials);
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
