package dev.jameslmtp.client.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

import dev.jameslmtp.client.credentials.Secret;

/**
 * Key material read from files for a {@link TlsPolicy}: a client certificate and key (PEM files or
 * a key store), trust anchors (a PEM CA file, a trust store, or the JDK's) and the TLS context
 * over them. Errors name the file that cannot be read or used, never a password.
 */
final class KeyMaterial {

    private KeyMaterial() {
    }

    /** The key managers of a PEM client certificate (chain) and its private key. */
    static KeyManager[] keyManagers(Path certificate, Path key) {
        List<X509Certificate> chain = read(certificate, () -> PemFiles.certificates(certificate));
        PrivateKey privateKey = read(key, () -> PemFiles.privateKey(key));
        try {
            char[] password = Long.toHexString(new SecureRandom().nextLong()).toCharArray();
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("client", privateKey, password, chain.toArray(new X509Certificate[0]));
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, password);
            return factory.getKeyManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("client certificate " + certificate + " and key " + key
                    + " cannot be used together: " + e.getClass().getSimpleName());
        }
    }

    /** The key managers of a PKCS#12/JKS key store whose key has the store's password. */
    static KeyManager[] keyManagers(Path file, Secret password) {
        KeyStore store = KeyStoreFiles.keyStore(file, password);
        try {
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, password.reveal().toCharArray());
            return factory.getKeyManagers();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use the private key of key store " + file
                    + " (its password must be the store's): " + e.getClass().getSimpleName());
        }
    }

    /** The trust anchors: a PKCS#12/JKS trust store, else a PEM CA file, else the JDK's. */
    static TrustManager[] trustManagers(Optional<Path> caFile, Optional<Path> trustStore, Optional<Secret> trustStorePassword) {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (trustStore.isPresent()) {
                factory.init(KeyStoreFiles.trustStore(trustStore.get(), trustStorePassword));
            } else if (caFile.isEmpty()) {
                factory.init((KeyStore) null);
            } else {
                Path file = caFile.get();
                List<X509Certificate> anchors = read(file, () -> PemFiles.certificates(file));
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                for (int i = 0; i < anchors.size(); i++) {
                    store.setCertificateEntry("ca" + i, anchors.get(i));
                }
                factory.init(store);
            }
            return factory.getTrustManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up TLS trust: " + e, e);
        }
    }

    static SSLContext context(KeyManager[] keyManagers, TrustManager[] trustManagers) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers, trustManagers, new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS: " + e, e);
        }
    }

    private static <T> T read(Path file, PemReader<T> reader) {
        try {
            return reader.read();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + (e instanceof java.nio.file.NoSuchFileException
                    ? "no such file" : e.getClass().getSimpleName()));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use " + file + ": " + e.getMessage());
        }
    }

    @FunctionalInterface
    private interface PemReader<T> {
        T read() throws IOException, GeneralSecurityException;
    }
}
