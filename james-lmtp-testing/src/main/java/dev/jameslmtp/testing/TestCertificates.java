package dev.jameslmtp.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made in the JVM for TLS tests, no network and no external tool: a private CA and
 * leaf certificates it signs, each for the host names and addresses given (subject alternative
 * names). EC P-256 keys, valid from an hour ago for a day.
 *
 * <pre>{@code
 * TestCertificates.Authority ca = TestCertificates.authority("Test CA");
 * TestCertificates.Leaf server = ca.issue("localhost", "127.0.0.1");
 * SSLContext serverTls = server.serverContext();
 * ca.writeCertificatePem(dir.resolve("ca.pem"));          // what the client trusts
 * server.writePem(dir.resolve("cert.pem"), dir.resolve("key.pem")); // for Dovecot, Cyrus
 * }</pre>
 */
public final class TestCertificates {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private TestCertificates() {
    }

    /** A new self-signed certificate authority. */
    public static Authority authority(String name) {
        try {
            KeyPair keys = newKeyPair();
            X500Name subject = new X500Name("CN=" + name);
            X509v3CertificateBuilder builder = builder(subject, subject, keys);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            return new Authority(sign(builder, keys.getPrivate()), keys.getPrivate());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot make a test CA", e);
        }
    }

    /** A private CA and what it signs. */
    public static final class Authority {
        private final X509Certificate certificate;
        private final PrivateKey key;

        private Authority(X509Certificate certificate, PrivateKey key) {
            this.certificate = certificate;
            this.key = key;
        }

        /** A leaf certificate for {@code names} (host names or IP addresses; the first is also the CN). */
        public Leaf issue(String... names) {
            try {
                KeyPair keys = newKeyPair();
                X509v3CertificateBuilder builder = builder(new X500Name(certificate.getSubjectX500Principal().getName()),
                        new X500Name("CN=" + names[0]), keys);
                List<GeneralName> alternatives = new ArrayList<>();
                for (String name : names) {
                    alternatives.add(isAddress(name)
                            ? new GeneralName(GeneralName.iPAddress, name)
                            : new GeneralName(GeneralName.dNSName, name));
                }
                builder.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(alternatives.toArray(new GeneralName[0])));
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                return new Leaf(sign(builder, key), keys.getPrivate(), certificate);
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("cannot issue a test certificate", e);
            }
        }

        public X509Certificate certificate() {
            return certificate;
        }

        public void writeCertificatePem(Path file) {
            write(file, pem(certificate));
        }

        /** Writes a trust store ({@code PKCS12} or {@code JKS}) holding this CA's certificate. */
        public void writeTrustStore(Path file, String type, char[] password) {
            try {
                KeyStore store = KeyStore.getInstance(type);
                store.load(null, null);
                store.setCertificateEntry("ca", certificate);
                save(store, file, password);
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("cannot write a " + type + " trust store", e);
            }
        }

        /** A client-side context that trusts this CA only. */
        public SSLContext trustingContext() {
            try {
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, trustingContextManagers(), new SecureRandom());
                return context;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        private javax.net.ssl.TrustManager[] trustingContextManagers() {
            try {
                KeyStore trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                trust.setCertificateEntry("ca", certificate);
                TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init(trust);
                return factory.getTrustManagers();
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A certificate and its private key, signed by an {@link Authority}. */
    public static final class Leaf {
        private final X509Certificate certificate;
        private final PrivateKey key;
        private final X509Certificate issuer;

        private Leaf(X509Certificate certificate, PrivateKey key, X509Certificate issuer) {
            this.certificate = certificate;
            this.key = key;
            this.issuer = issuer;
        }

        public X509Certificate certificate() {
            return certificate;
        }

        /** A server-side context presenting this certificate (and its CA in the chain). */
        public SSLContext serverContext() {
            return serverContext(null);
        }

        /**
         * As {@link #serverContext()}, trusting client certificates from {@code clients} (for a
         * server socket with {@code setNeedClientAuth(true)}); null trusts the JDK's CAs.
         */
        public SSLContext serverContext(Authority clients) {
            try {
                char[] password = "test".toCharArray();
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                keys.setKeyEntry("leaf", key, password, new X509Certificate[] {certificate, issuer});
                KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                factory.init(keys, password);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(factory.getKeyManagers(),
                        clients == null ? null : clients.trustingContextManagers(), new SecureRandom());
                return context;
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Writes a key store ({@code PKCS12} or {@code JKS}) holding the key and chain, the key under the store's password. */
        public void writeKeyStore(Path file, String type, char[] password) {
            try {
                KeyStore store = KeyStore.getInstance(type);
                store.load(null, null);
                store.setKeyEntry("leaf", key, password, new X509Certificate[] {certificate, issuer});
                save(store, file, password);
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("cannot write a " + type + " key store", e);
            }
        }

        /** Writes the certificate (followed by the CA's) and the PKCS#8 key, key file mode 0600 where possible. */
        public void writePem(Path certificateFile, Path keyFile) {
            write(certificateFile, pem(certificate) + pem(issuer));
            write(keyFile, pem(key));
            try {
                Files.setPosixFilePermissions(keyFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            } catch (IOException | UnsupportedOperationException e) {
                // not a POSIX file system: the test key stays as it is
            }
        }
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject, keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        return generator.generateKeyPair();
    }

    private static boolean isAddress(String name) {
        if (name.contains(":")) {
            return true;
        }
        if (!name.matches("[0-9.]+")) {
            return false;
        }
        try {
            InetAddress.getByName(name);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String pem(Object object) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object instanceof PrivateKey key
                    ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null)
                    : object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    private static void save(KeyStore store, Path file, char[] password) throws IOException, GeneralSecurityException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (java.io.OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, text, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
