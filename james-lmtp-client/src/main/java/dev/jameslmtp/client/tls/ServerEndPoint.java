package dev.jameslmtp.client.tls;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.Optional;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import dev.jameslmtp.client.sasl.ChannelBinding;

/**
 * The {@code tls-server-end-point} channel binding of RFC 5929 §4.1: the hash of the server's
 * certificate (DER), with the hash function of the certificate's signature algorithm, except that
 * MD5 and SHA-1 become SHA-256. A certificate whose signature has no single hash function of its
 * own (Ed25519, Ed448, RSASSA-PSS) has no defined binding: none is returned, and SCRAM goes on
 * without binding.
 */
public final class ServerEndPoint {

    public static final String TYPE = "tls-server-end-point";

    private ServerEndPoint() {
    }

    /** The binding of this session's server certificate, if it has one. */
    public static Optional<ChannelBinding> of(SSLSession session) {
        try {
            Certificate[] chain = session.getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate certificate)) {
                return Optional.empty();
            }
            return of(certificate);
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }

    /** The binding for {@code certificate}, if its signature algorithm names one hash function. */
    public static Optional<ChannelBinding> of(X509Certificate certificate) {
        return hashOf(certificate.getSigAlgName()).map(hash -> {
            try {
                return new ChannelBinding(TYPE, MessageDigest.getInstance(hash).digest(certificate.getEncoded()));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot hash the server certificate with " + hash, e);
            }
        });
    }

    /** {@code SHA384withECDSA} → SHA-384; {@code SHA1withRSA}, {@code MD5withRSA} → SHA-256. */
    static Optional<String> hashOf(String signatureAlgorithm) {
        String upper = signatureAlgorithm.toUpperCase(Locale.ROOT);
        int with = upper.indexOf("WITH");
        if (with <= 0) {
            return Optional.empty();
        }
        return switch (upper.substring(0, with).replace("-", "")) {
            case "MD5", "SHA1", "SHA256" -> Optional.of("SHA-256");
            case "SHA224" -> Optional.of("SHA-224");
            case "SHA384" -> Optional.of("SHA-384");
            case "SHA512" -> Optional.of("SHA-512");
            case "SHA3224" -> Optional.of("SHA3-224");
            case "SHA3256" -> Optional.of("SHA3-256");
            case "SHA3384" -> Optional.of("SHA3-384");
            case "SHA3512" -> Optional.of("SHA3-512");
            default -> Optional.empty();
        };
    }
}
