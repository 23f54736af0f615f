package dev.jameslmtp.client.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.util.Collections;
import java.util.Locale;
import java.util.Optional;

import dev.jameslmtp.client.credentials.Secret;

/**
 * Reads key stores: PKCS#12 ({@code .p12}, {@code .pfx}) and JKS, the type found from the file's
 * content ({@link KeyStore#getInstance(java.io.File, char[])}), so that a store made by {@code
 * keytool} or {@code openssl pkcs12 -export} works whatever its name.
 *
 * <p>Errors name the file and what is wrong with it ("wrong password or damaged file", "no private
 * key entry"), never the password.
 */
final class KeyStoreFiles {

    private KeyStoreFiles() {
    }

    /**
     * A store of trust anchors. Its password may be absent: then a JKS store or a PKCS#12 store
     * with unencrypted certificates ({@code keytool -J-Dkeystore.pkcs12.certProtectionAlgorithm=NONE})
     * is read without an integrity check; a usual PKCS#12 store encrypts its certificates and needs it.
     */
    static KeyStore trustStore(Path file, Optional<Secret> password) {
        KeyStore store = load(file, password.map(s -> s.reveal().toCharArray()).orElse(null));
        try {
            if (store.size() == 0) {
                throw new IllegalArgumentException("trust store " + file + " holds no certificate" + (password.isEmpty()
                        ? " that can be read without its password (PKCS#12 usually encrypts them): give its password" : ""));
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use trust store " + file + ": " + e.getClass().getSimpleName());
        }
        return store;
    }

    /** A store holding the client's private key and certificate chain; the key has the store's password. */
    static KeyStore keyStore(Path file, Secret password) {
        KeyStore store = load(file, password.reveal().toCharArray());
        try {
            boolean hasKey = false;
            for (String alias : Collections.list(store.aliases())) {
                hasKey |= store.isKeyEntry(alias);
            }
            if (!hasKey) {
                throw new IllegalArgumentException("key store " + file + " holds no private key entry");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use key store " + file + ": " + e.getClass().getSimpleName());
        }
        return store;
    }

    private static KeyStore load(Path file, char[] password) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("cannot read " + file + ": no such file");
        }
        try {
            return KeyStore.getInstance(file.toFile(), password);
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException || password != null && e.getMessage() != null
                    && e.getMessage().toLowerCase(Locale.ROOT).contains("password")) {
                throw new IllegalArgumentException("cannot open key store " + file + ": wrong password or damaged file");
            }
            throw new IllegalArgumentException("cannot read key store " + file + ": "
                    + (e instanceof NoSuchFileException ? "no such file" : "not a PKCS#12 or JKS store, or damaged"));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot read key store " + file + ": not a PKCS#12 or JKS store ("
                    + e.getClass().getSimpleName() + ")");
        }
    }
}
