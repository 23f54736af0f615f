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

import dev.jameslmtp.client.LmtpClient;
import dev.jameslmtp.client.sasl.AuthFailureCache;
import dev.jameslmtp.client.sasl.CredentialSource;
import dev.jameslmtp.client.sasl.Mechanism;
import dev.jameslmtp.client.sasl.PasswordMapException;
import dev.jameslmtp.client.sasl.PasswordMapFile;
import dev.jameslmtp.client.sasl.SaslPolicy;
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
 * {@code tlsCertFile} without {@code tlsKeyFile} (or the reverse), {@code requireAuth} or other
 * SASL settings without {@code saslPasswordMap}.
 */
final class SecurityParameters {

    private SecurityParameters() {
    }

    static TlsPolicy tls(LmtpDeliveryConfiguration.Values values) {
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
        boolean wrapper = LmtpDeliveryConfiguration.bool(values, Parameter.TLS_WRAPPER_MODE);
        if (level == TlsLevel.NONE) {
            List<String> set = new ArrayList<>();
            for (Parameter parameter : List.of(Parameter.TLS_CA_FILE, Parameter.TLS_CERT_FILE, Parameter.TLS_KEY_FILE,
                    Parameter.TLS_PROTOCOLS, Parameter.TLS_CIPHERS)) {
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
            throw ConfigurationError.conflict("TLS parameters (tlsCAFile, tlsCertFile, tlsKeyFile): " + e.getMessage());
        }
    }

    static SaslPolicy sasl(LmtpDeliveryConfiguration.Values values) {
        Optional<String> mapFile = values.get(Parameter.SASL_PASSWORD_MAP);
        boolean requireAuth = LmtpDeliveryConfiguration.bool(values, Parameter.REQUIRE_AUTH);
        if (mapFile.isEmpty()) {
            List<String> set = new ArrayList<>();
            for (Parameter parameter : List.of(Parameter.SASL_MECHANISMS, Parameter.SASL_SECURITY_OPTIONS,
                    Parameter.SASL_TLS_SECURITY_OPTIONS, Parameter.SASL_TRUST_UNIX_SOCKET, Parameter.REQUIRE_AUTH,
                    Parameter.SASL_AUTH_SOFT_BOUNCE, Parameter.SASL_AUTH_CACHE_TIME)) {
                changed(values, parameter).ifPresent(v -> set.add(parameter.key()));
            }
            if (!set.isEmpty()) {
                throw ConfigurationError.conflict("parameters " + set + " are set but 'saslPasswordMap' is not; "
                        + "SASL authentication needs a password map");
            }
            return SaslPolicy.NONE;
        }
        CredentialSource credentials;
        try {
            credentials = PasswordMapFile.open(path(Parameter.SASL_PASSWORD_MAP, mapFile.get()), LmtpClient::localHostName);
        } catch (PasswordMapException e) {
            throw ConfigurationError.conflict("parameter 'saslPasswordMap': " + e.getMessage());
        }
        return SaslPolicy.of(credentials)
                .withMechanisms(mechanisms(values))
                .withOptions(options(values, Parameter.SASL_SECURITY_OPTIONS), options(values, Parameter.SASL_TLS_SECURITY_OPTIONS))
                .withTrustUnixSocket(LmtpDeliveryConfiguration.bool(values, Parameter.SASL_TRUST_UNIX_SOCKET))
                .withRequireAuth(requireAuth)
                .withSoftBounce(LmtpDeliveryConfiguration.bool(values, Parameter.SASL_AUTH_SOFT_BOUNCE))
                .withFailureCache(new AuthFailureCache(Clock.systemUTC(), cacheTime(values)));
    }

    private static Set<Mechanism> mechanisms(LmtpDeliveryConfiguration.Values values) {
        String text = values.getOrDefault(Parameter.SASL_MECHANISMS).orElseThrow();
        EnumSet<Mechanism> mechanisms = EnumSet.noneOf(Mechanism.class);
        for (String name : list(text)) {
            mechanisms.add(Mechanism.named(name).orElseThrow(() -> ConfigurationError.invalid(Parameter.SASL_MECHANISMS.key(), text,
                    "a list of " + Arrays.stream(Mechanism.values()).map(Mechanism::saslName).toList())));
        }
        return mechanisms;
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
