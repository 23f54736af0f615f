package dev.jameslmtp.conf;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import dev.jameslmtp.client.credentials.CredentialSource;
import dev.jameslmtp.client.sasl.SaslPolicy;
import dev.jameslmtp.client.tls.TlsPolicy;

/**
 * The TLS and SASL settings of an LMTP client, read from the same parameters as
 * {@code LmtpDelivery}'s ({@code tls*}, {@code sasl*}, {@code requireAuth}) with the same rules
 * and errors. For configurations other than the mailet's that must talk to the store exactly as
 * the mailet does: the SMTP recipient-verification hook, and the {@code lmtp} command, which writes
 * its options as these parameters and supplies credentials of its own (a user and a password).
 */
public record ClientSecurity(TlsPolicy tls, SaslPolicy sasl) {

    private static final List<Parameter> PARAMETERS = List.of(
            Parameter.TLS_SECURITY_LEVEL, Parameter.TLS_WRAPPER_MODE, Parameter.TLS_CA_FILE, Parameter.TLS_CERT_FILE,
            Parameter.TLS_KEY_FILE, Parameter.TLS_TRUST_STORE, Parameter.TLS_TRUST_STORE_PASSWORD, Parameter.TLS_KEY_STORE,
            Parameter.TLS_KEY_STORE_PASSWORD, Parameter.TLS_PROTOCOLS, Parameter.TLS_CIPHERS,
            Parameter.SASL_PASSWORD_MAP, Parameter.SASL_MECHANISMS, Parameter.SASL_CHANNEL_BINDING, Parameter.SASL_SCRAM_MAX_ITERATIONS,
            Parameter.SASL_SECURITY_OPTIONS, Parameter.SASL_TLS_SECURITY_OPTIONS, Parameter.SASL_TLS_VERIFIED_SECURITY_OPTIONS,
            Parameter.SASL_TRUST_UNIX_SOCKET, Parameter.REQUIRE_AUTH,
            Parameter.SASL_AUTH_SOFT_BOUNCE, Parameter.SASL_AUTH_CACHE_TIME);

    public ClientSecurity {
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(sasl, "sasl");
    }

    /** The names of the TLS and SASL parameters. */
    public static Set<String> keys() {
        return PARAMETERS.stream().map(Parameter::key).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * Parses the TLS and SASL parameters among {@code parameters}; the others are ignored.
     *
     * @throws ConfigurationError as the mailet's init() would, naming the parameter (never a secret)
     */
    public static ClientSecurity parse(Map<String, String> parameters) {
        Set<String> keys = keys();
        Map<String, String> security = parameters.entrySet().stream()
                .filter(entry -> keys.contains(entry.getKey()))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        LmtpDeliveryConfiguration.Values values = new LmtpDeliveryConfiguration.Values(security);
        TlsPolicy tls = SecurityParameters.tls(values);
        return new ClientSecurity(tls, SecurityParameters.sasl(values, tls));
    }

    /**
     * Parses {@code parameters}, which must all be TLS and SASL parameters, for a front end that
     * shows its own messages: nothing is logged (see {@link #warnings()}).
     *
     * @param environment resolves the {@code env:NAME} form of the store passwords
     * @param credentials when given, where the credentials come from instead of {@code
     *                    saslPasswordMap} (which must then be absent); called once, after every
     *                    parameter has been checked
     * @throws ConfigurationError as {@link #parse(Map)}
     */
    public static ClientSecurity parse(Map<String, String> parameters, UnaryOperator<String> environment,
                                       Optional<Supplier<CredentialSource>> credentials) {
        Set<String> keys = keys();
        parameters.keySet().stream().filter(key -> !keys.contains(key)).findFirst().ifPresent(key -> {
            throw new IllegalArgumentException("not a TLS or SASL parameter: " + key);
        });
        LmtpDeliveryConfiguration.Values values = new LmtpDeliveryConfiguration.Values(parameters);
        TlsPolicy tls = SecurityParameters.tls(values, environment);
        return new ClientSecurity(tls, SecurityParameters.sasl(values, credentials));
    }

    /**
     * PLAIN or LOGIN allowed where a peer that has not proven who it is could read the password,
     * one sentence each, naming the parameters ({@link #parse(Map)} logs them as WARN).
     */
    public List<String> warnings() {
        return SecurityParameters.plaintextWarnings(sasl, tls.level());
    }
}
