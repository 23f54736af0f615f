package dev.jameslmtp.client.credentials;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A password. It never shows itself: {@link #toString()} is {@value #SHOWN}, and two secrets are
 * compared through a keyed fingerprint (HMAC-SHA-256 under a key drawn at random when the JVM
 * starts), so an equal password can be recognised in a cache key or a connection-pool key without
 * the password itself, or an offline-guessable hash of it, being kept there.
 *
 * <p>{@link #reveal()} is for the SASL mechanisms alone.
 */
public final class Secret {

    static final String SHOWN = "****";

    private static final byte[] FINGERPRINT_KEY = new SecureRandom().generateSeed(32);

    private final String value;
    private final String fingerprint;

    private Secret(String value) {
        this.value = value;
        this.fingerprint = fingerprint(value);
    }

    public static Secret of(String value) {
        return new Secret(Objects.requireNonNull(value, "secret"));
    }

    public static Secret of(char[] value) {
        return new Secret(new String(Objects.requireNonNull(value, "secret")));
    }

    /** The password itself, for a SASL mechanism's response. Never log it. */
    public String reveal() {
        return value;
    }

    /** The password's UTF-8 bytes, whatever the platform charset, for a SASL mechanism's response. Never log them. */
    public byte[] utf8() {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    /** A keyed fingerprint: equal for equal passwords within this JVM, useless elsewhere. */
    public String fingerprint() {
        return fingerprint;
    }

    public boolean isEmpty() {
        return value.isEmpty();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Secret that
                && MessageDigest.isEqual(fingerprint.getBytes(StandardCharsets.US_ASCII), that.fingerprint.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public int hashCode() {
        return fingerprint.hashCode();
    }

    @Override
    public String toString() {
        return SHOWN;
    }

    private static String fingerprint(String value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(FINGERPRINT_KEY, "HmacSHA256"));
            byte[] digest = mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(Arrays.copyOf(digest, 16));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }
}
