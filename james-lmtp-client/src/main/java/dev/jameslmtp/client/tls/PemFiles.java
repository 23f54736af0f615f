package dev.jameslmtp.client.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM files: certificates (one or a bundle) and an unencrypted PKCS#8 private key
 * ({@code BEGIN PRIVATE KEY}: RSA, EC or Ed25519). Known limit: the older {@code BEGIN RSA PRIVATE
 * KEY}/{@code BEGIN EC PRIVATE KEY} forms and encrypted keys are refused with a message that says
 * how to convert them ({@code openssl pkcs8 -topk8 -nocrypt}).
 */
final class PemFiles {

    private static final Pattern PKCS8 = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private PemFiles() {
    }

    static List<X509Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> certificates = new ArrayList<>();
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                certificates.add((X509Certificate) certificate);
            }
            if (certificates.isEmpty()) {
                throw new GeneralSecurityException(file + " holds no PEM certificate");
            }
            return certificates;
        }
    }

    static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        Matcher matcher = PKCS8.matcher(text);
        if (!matcher.find()) {
            throw new GeneralSecurityException(file + " holds no unencrypted PKCS#8 key ('BEGIN PRIVATE KEY'); "
                    + "convert it with: openssl pkcs8 -topk8 -nocrypt -in OLD -out NEW");
        }
        byte[] der = Base64.getMimeDecoder().decode(matcher.group(1));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "RSASSA-PSS")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new GeneralSecurityException(file + ": the private key is of an unknown algorithm");
    }
}
