package dev.jameslmtp.conf;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import org.slf4j.LoggerFactory;

import dev.jameslmtp.client.LmtpClient;
import dev.jameslmtp.client.credentials.CredentialSource;
import dev.jameslmtp.client.credentials.PasswordMapException;
import dev.jameslmtp.client.credentials.PasswordMapFile;
import dev.jameslmtp.client.credentials.Secret;
import dev.jameslmtp.client.sasl.AuthFailureCache;
import dev.jameslmtp.client.sasl.ChannelBindingType;
import dev.jameslmtp.client.sasl.Mechanism;
import dev.jameslmtp.client.sasl.Protection;
import dev.jameslmtp.client.sasl.SaslPolicy;
import dev.jameslmtp.client.sasl.ScramIterations;
import dev.jameslmtp.client.sasl.SecurityOptions;
import dev.jameslmtp.client.tls.TlsLevel;
import dev.jameslmtp.client.tls.TlsPolicy;

/**
 * The TLS ({@code tls*}) and SASL ({@code sasl*}, {@code requireAuth}) parameters of
 * {@code LmtpDelivery}, parsed into the client's {@link TlsPolicy} and {@link SaslPolicy}. The
 * password map is read here, once; it is read again by the client when the file changes.
 *
 * <p>Errors name the parameter; a password map error names the file and line, never a password.
 * Conflicts are refused rather than ignored: TLS files with {@code tlsSecurityLevel} none,
 * {@code tlsCertFile} without {@code tlsKeyFile} (or the reverse), {@code tlsCAFile} with {@code
 * tlsTrustStore}, PEM client files with {@code tlsKeyStore}, a key store without its password, a
 * password without its store, {@code requireAuth} or other SASL settings without {@code
 * saslPasswordMap} (or the credentials a front end supplies instead). Store passwords ({@link
 * SecretValue}: the password, {@code env:NAME} or {@code file:/path}) are never shown, and a wrong
 * one is reported as such, naming the store.
 */
final class SecurityParameters {

    private SecurityParameters() {
    }

    static TlsPolicy tls(LmtpDeliveryConfiguration.Values values) {
        return tls(values, System::getenv);
    }

    static TlsPolicy tls(LmtpDeliveryConfiguration.Values values, UnaryOperator<String> environment) {
        String levelText = values.getOrDefault(Parameter.TLS_SECURITY_LEVEL).orElseThrow();
        TlsLevel level;
        try {
            level = TlsLevel.parse(levelText);
        } catch (IllegalArgumentException e) {
            throw ConfigurationError.invalid(Parameter.TLS_SECURITY_LEVEL.key(), levelText, "none, may, encrypt or verify");
        }
        Optional<Path> ca = values.get(Parameter.TLS_CA_FILE).map(v -> path(Parameter.TLS_CA_FILE, v));
        Optional<Path> certificate = values.get(Parameter.TLS_CERT_FILE).map(v -> path(Parameter.TLS_CERT_FILE, v));
        Optional<Path> key = values.get(Parameter.TLS_KEY_FILE).map(v -> path(Parameter.TLS_KEY_FILE, v));
        boolean wrapper = values.bool(Parameter.TLS_WRAPPER_MODE);
        if (level == TlsLevel.NONE) {
            List<String> set = new ArrayList<>();
            for (Parameter parameter : List.of(Parameter.TLS_CA_FILE, Parameter.TLS_CERT_FILE, Parameter.TLS_KEY_FILE,
                    Parameter.TLS_TRUST_STORE, Parameter.TLS_TRUST_STORE_PASSWORD, Parameter.TLS_KEY_STORE,
                    Parameter.TLS_KEY_STORE_PASSWORD, Parameter.TLS_PROTOCOLS, Parameter.TLS_CIPHERS)) {
                changed(values, parameter).ifPresent(v -> set.add(parameter.key()));
            }
            changed(values, Parameter.TLS_WRAPPER_MODE).ifPresent(v -> set.add(Parameter.TLS_WRAPPER_MODE.key()));
            if (!set.isEmpty()) {
                throw ConfigurationError.conflict("parameters " + set + " are set but 'tlsSecurityLevel' is none; "
                        + "set tlsSecurityLevel to may, encrypt or verify, or remove them");
            }
            return TlsPolicy.NONE;
        }
        if (certificate.isPresent() != key.isPresent()) {
            throw ConfigurationError.conflict("parameters 'tlsCertFile' and 'tlsKeyFile' go together: set both or neither");
        }
        TlsPolicy.Builder builder = TlsPolicy.builder(level).wrapperMode(wrapper);
        ca.ifPresent(builder::caFile);
        if (certificate.isPresent()) {
            builder.clientCertificate(certificate.get(), key.get());
        }
        stores(values, environment, builder, ca.isPresent(), certificate.isPresent());
        String protocols = values.getOrDefault(Parameter.TLS_PROTOCOLS).orElseThrow();
        try {
            builder.protocols(list(protocols));
        } catch (IllegalArgumentException e) {
            throw ConfigurationError.invalid(Parameter.TLS_PROTOCOLS.key(), protocols, "a list of TLSv1.2 and TLSv1.3");
        }
        Optional<String> ciphers = values.get(Parameter.TLS_CIPHERS);
        if (ciphers.isPresent()) {
            try {
                builder.ciphers(list(ciphers.get()));
            } catch (IllegalArgumentException e) {
                throw ConfigurationError.invalid(Parameter.TLS_CIPHERS.key(), ciphers.get(),
                        "a list of JSSE cipher suite names this JDK supports (" + e.getMessage() + ")");
            }
        }
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw ConfigurationError.conflict("TLS parameters (tlsCAFile, tlsCertFile, tlsKeyFile, tlsTrustStore, tlsKeyStore): "
                    + e.getMessage());
        }
    }

    /** {@code tlsTrustStore} and {@code tlsKeyStore} with their passwords, exclusive with the PEM files. */
    private static void stores(LmtpDeliveryConfiguration.Values values, UnaryOperator<String> environment, TlsPolicy.Builder builder,
                               boolean caFile, boolean pemCertificate) {
        Optional<Path> trustStore = values.get(Parameter.TLS_TRUST_STORE).map(v -> path(Parameter.TLS_TRUST_STORE, v));
        Optional<Path> keyStore = values.get(Parameter.TLS_KEY_STORE).map(v -> path(Parameter.TLS_KEY_STORE, v));
        Optional<Secret> trustPassword = values.get(Parameter.TLS_TRUST_STORE_PASSWORD)
                .map(v -> SecretValue.parse(Parameter.TLS_TRUST_STORE_PASSWORD, v, environment));
        Optional<Secret> keyPassword = values.get(Parameter.TLS_KEY_STORE_PASSWORD)
                .map(v -> SecretValue.parse(Parameter.TLS_KEY_STORE_PASSWORD, v, environment));
        if (caFile && trustStore.isPresent()) {
            throw ConfigurationError.conflict("parameters 'tlsCAFile' and 'tlsTrustStore' are both set: "
                    + "trust anchors come from a PEM file or from a key store, set one of them");
        }
        if (pemCertificate && keyStore.isPresent()) {
            throw ConfigurationError.conflict("parameters 'tlsCertFile'/'tlsKeyFile' and 'tlsKeyStore' are both set: "
                    + "the client certificate comes from PEM files or from a key store, set one of them");
        }
        if (trustPassword.isPresent() && trustStore.isEmpty()) {
            throw ConfigurationError.conflict("parameter 'tlsTrustStorePassword' is set but 'tlsTrustStore' is not");
        }
        if (keyPassword.isPresent() && keyStore.isEmpty()) {
            throw ConfigurationError.conflict("parameter 'tlsKeyStorePassword' is set but 'tlsKeyStore' is not");
        }
        if (keyStore.isPresent() && keyPassword.isEmpty()) {
            throw ConfigurationError.missing(Parameter.TLS_KEY_STORE_PASSWORD.key(),
                    "the password of 'tlsKeyStore' (and of its key)");
        }
        trustStore.ifPresent(file -> builder.trustStore(file, trustPassword));
        keyStore.ifPresent(file -> builder.keyStore(file, keyPassword.get()));
    }

    /** The SASL policy, credentials from {@code saslPasswordMap}; a WARN for each of {@link #plaintextWarnings}. */
    static SaslPolicy sasl(LmtpDeliveryConfiguration.Values values, TlsPolicy tls) {
        SaslPolicy policy = sasl(values, Optional.empty());
        for (String warning : plaintextWarnings(policy, tls.level())) {
            LoggerFactory.getLogger(SecurityParameters.class).warn(warning); // obtained here: no logging set-up for a run that logs nothing
        }
        return policy;
    }

    /**
     * The SASL policy. Credentials come from {@code saslPasswordMap} or, when {@code supplied} is
     * given, from it instead (the {@code lmtp} command's user and password); it is asked only once
     * every parameter has been checked, so that a typo is reported before a password is typed.
     */
    static SaslPolicy sasl(LmtpDeliveryConfiguration.Values values, Optional<Supplier<CredentialSource>> supplied) {
        Optional<String> mapFile = values.get(Parameter.SASL_PASSWORD_MAP);
        if (mapFile.isPresent() && supplied.isPresent()) {
            throw new IllegalArgumentException("credentials from both 'saslPasswordMap' and the caller");
        }
        if (mapFile.isEmpty() && supplied.isEmpty()) {
            List<String> set = new ArrayList<>();
            for (Parameter parameter : List.of(Parameter.SASL_MECHANISMS, Parameter.SASL_CHANNEL_BINDING, Parameter.SASL_SCRAM_MAX_ITERATIONS,
                    Parameter.SASL_SECURITY_OPTIONS, Parameter.SASL_TLS_SECURITY_OPTIONS, Parameter.SASL_TLS_VERIFIED_SECURITY_OPTIONS,
                    Parameter.SASL_TRUST_UNIX_SOCKET, Parameter.REQUIRE_AUTH,
                    Parameter.SASL_AUTH_SOFT_BOUNCE, Parameter.SASL_AUTH_CACHE_TIME)) {
                changed(values, parameter).ifPresent(v -> set.add(parameter.key()));
            }
            if (!set.isEmpty()) {
                throw ConfigurationError.conflict("parameters " + set + " are set but 'saslPasswordMap' is not, "
                        + "and without it there is no SASL authentication");
            }
            return SaslPolicy.NONE;
        }
        Optional<CredentialSource> map;
        try {
            map = mapFile.map(file -> PasswordMapFile.open(path(Parameter.SASL_PASSWORD_MAP, file), LmtpClient::localHostName));
        } catch (PasswordMapException e) {
            throw ConfigurationError.conflict("parameter 'saslPasswordMap': " + e.getMessage());
        }
        SaslPolicy policy = SaslPolicy.NONE
                .withMechanisms(mechanisms(values))
                .withChannelBinding(channelBinding(values))
                .withScramIterations(new ScramIterations(values.integer(Parameter.SASL_SCRAM_MAX_ITERATIONS, ScramIterations.MIN,
                        Integer.MAX_VALUE, "a whole number from " + ScramIterations.MIN + " (the least RFC 7677 allows)")))
                .withOptions(options(values, Parameter.SASL_SECURITY_OPTIONS), options(values, Parameter.SASL_TLS_SECURITY_OPTIONS),
                        options(values, Parameter.SASL_TLS_VERIFIED_SECURITY_OPTIONS))
                .withTrustUnixSocket(values.bool(Parameter.SASL_TRUST_UNIX_SOCKET))
                .withRequireAuth(values.bool(Parameter.REQUIRE_AUTH))
                .withSoftBounce(values.bool(Parameter.SASL_AUTH_SOFT_BOUNCE))
                .withFailureCache(new AuthFailureCache(Clock.systemUTC(), cacheTime(values)));
        return policy.withCredentials(map.orElseGet(() -> supplied.orElseThrow().get()));
    }

    /**
     * What the operator should be told: PLAIN and LOGIN allowed where a peer in the middle can take
     * the password, at TLS level {@code level}. Names the parameters; the {@code lmtp} command
     * shows them under its own option names.
     */
    static List<String> plaintextWarnings(SaslPolicy policy, TlsLevel level) {
        return policy.plaintextToUnverifiedPeers(level).stream()
                .map(protection -> (protection == Protection.CLEAR ? Parameter.SASL_SECURITY_OPTIONS : Parameter.SASL_TLS_SECURITY_OPTIONS).key()
                        + " '" + policy.optionsFor(protection) + "' allows PLAIN and LOGIN on " + protection.description()
                        + " (tlsSecurityLevel " + level + "): whoever is on the path to the store can take the password; prefer "
                        + "tlsSecurityLevel verify (a certificate checked), or a mechanism that does not send the password (SCRAM, CRAM-MD5)")
                .toList();
    }

    private static Set<Mechanism> mechanisms(LmtpDeliveryConfiguration.Values values) {
        String text = values.getOrDefault(Parameter.SASL_MECHANISMS).orElseThrow();
        EnumSet<Mechanism> mechanisms = EnumSet.noneOf(Mechanism.class);
        for (String name : list(text)) {
            mechanisms.add(Mechanism.named(name).orElseThrow(() -> ConfigurationError.invalid(Parameter.SASL_MECHANISMS.key(), text,
                    "a list of " + Arrays.stream(Mechanism.values()).map(Mechanism::saslName).toList())));
        }
        if (mechanisms.isEmpty()) {
            throw ConfigurationError.invalid(Parameter.SASL_MECHANISMS.key(), text,
                    "a list of " + Arrays.stream(Mechanism.values()).map(Mechanism::saslName).toList());
        }
        return mechanisms;
    }

    private static ChannelBindingType channelBinding(LmtpDeliveryConfiguration.Values values) {
        String text = values.getOrDefault(Parameter.SASL_CHANNEL_BINDING).orElseThrow();
        try {
            return ChannelBindingType.parse(text);
        } catch (IllegalArgumentException e) {
            throw ConfigurationError.invalid(Parameter.SASL_CHANNEL_BINDING.key(), text, "none or tls-server-end-point");
        }
    }

    private static SecurityOptions options(LmtpDeliveryConfiguration.Values values, Parameter parameter) {
        String text = values.getOrDefault(parameter).orElseThrow();
        try {
            return SecurityOptions.parse(text);
        } catch (IllegalArgumentException e) {
            throw ConfigurationError.invalid(parameter.key(), text, "a list of noplaintext, noanonymous, or none");
        }
    }

    private static Duration cacheTime(LmtpDeliveryConfiguration.Values values) {
        String text = values.getOrDefault(Parameter.SASL_AUTH_CACHE_TIME).orElseThrow();
        try {
            return DurationSyntax.parse(text, ChronoUnit.SECONDS);
        } catch (IllegalArgumentException e) {
            throw ConfigurationError.invalid(Parameter.SASL_AUTH_CACHE_TIME.key(), text,
                    "a duration (0 disables the cache): " + DurationSyntax.expected(ChronoUnit.SECONDS));
        }
    }

    /** The value when it is set to something else than the default (writing a default is leaving it out). */
    private static Optional<String> changed(LmtpDeliveryConfiguration.Values values, Parameter parameter) {
        return values.get(parameter).filter(v -> !v.equalsIgnoreCase(parameter.defaultValue().orElse("")));
    }

    private static List<String> list(String text) {
        return Arrays.stream(text.strip().split("[,\\s]+")).filter(w -> !w.isEmpty()).toList();
    }

    private static Path path(Parameter parameter, String value) {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw ConfigurationError.invalid(parameter.key(), value, "a file path");
        }
    }
}
