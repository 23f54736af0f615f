package dev.jameslmtp.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.jameslmtp.client.DestinationList;
import dev.jameslmtp.client.credentials.CredentialSource;
import dev.jameslmtp.client.sasl.SaslPolicy;
import dev.jameslmtp.client.tls.TlsPolicy;
import dev.jameslmtp.conf.ClientSecurity;
import dev.jameslmtp.conf.ConfigurationError;
import dev.jameslmtp.conf.Parameter;

/**
 * TLS and SASL for one run of the command: its options and {@code -C} keys written as the
 * mailet's parameters ({@code --tls} is {@code tlsSecurityLevel}, {@code --tls-ca} is {@code
 * tlsCAFile}...) and read by {@link ClientSecurity}, so that the defaults, the conflicts and the
 * errors are the mailet's and the SMTP hook's. Its messages come back with the parameters named as
 * the command names them ({@link #inOurWords}).
 *
 * <p>What the mailet does not have stays here: authentication is asked for by {@code -a}, {@code
 * --user}, {@code --password-map}, {@code --require-auth} or their {@code -C} keys, and its
 * credentials come from {@link SaslCredentials} (a user with a typed or exported password, or a
 * map entry for the destination), asked for only once every option has been checked. Store
 * passwords come from {@code $LMTP_TRUSTSTORE_PASSWORD} (optional) and {@code
 * $LMTP_KEYSTORE_PASSWORD} (required with {@code --tls-keystore}), passed as {@code env:NAME} so
 * that no secret is written in the parameters; never from the command line. A refusal cached for
 * the mailet ({@code saslAuthCacheTime}) means nothing in one run: the cache is off.
 *
 * <p>DIAGNOSTICS: a {@link CommandException} (64) with {@link ClientSecurity}'s message or
 * {@link SaslCredentials}'s, naming the option; a secret is never shown. {@link #warnings()}: PLAIN
 * and LOGIN allowed towards an unverified peer. BUGS: a shown value that contains a parameter's
 * name (say {@code --tls tlsCAFile}) has it renamed too.
 */
record SessionSecurity(TlsPolicy tls, SaslPolicy sasl, List<String> warnings) {

    static final String TRUST_STORE_PASSWORD_VARIABLE = "LMTP_TRUSTSTORE_PASSWORD";
    static final String KEY_STORE_PASSWORD_VARIABLE = "LMTP_KEYSTORE_PASSWORD";

    /** No TLS, no SASL: the defaults of every parameter. */
    static final SessionSecurity NONE = new SessionSecurity(TlsPolicy.NONE, SaslPolicy.NONE, List.of());

    /** The security options as picocli left them: null or false when not given. */
    record Options(boolean auth, String user, Path passwordMap, String tls, Path tlsCa, Path tlsCert, Path tlsKey,
                   Path tlsTrustStore, Path tlsKeyStore, String saslMechanisms, String saslChannelBinding, String saslScramMaxIterations,
                   boolean requireAuth, String saslTlsSecurityOptions) {
    }

    /** An option, its {@code -C} key and the parameter it sets. */
    private record Setting(String option, String key, Parameter parameter) {
    }

    private static final List<Setting> SETTINGS = List.of(
            new Setting("--tls", "tls", Parameter.TLS_SECURITY_LEVEL),
            new Setting("--tls-ca", "tls-ca", Parameter.TLS_CA_FILE),
            new Setting("--tls-cert", "tls-cert", Parameter.TLS_CERT_FILE),
            new Setting("--tls-key", "tls-key", Parameter.TLS_KEY_FILE),
            new Setting("--tls-truststore", "tls-truststore", Parameter.TLS_TRUST_STORE),
            new Setting("--tls-keystore", "tls-keystore", Parameter.TLS_KEY_STORE),
            new Setting("--sasl-mechanisms", "sasl-mechanisms", Parameter.SASL_MECHANISMS),
            new Setting("--sasl-channel-binding", "sasl-channel-binding", Parameter.SASL_CHANNEL_BINDING),
            new Setting("--sasl-scram-max-iterations", "sasl-scram-max-iterations", Parameter.SASL_SCRAM_MAX_ITERATIONS),
            new Setting("--sasl-tls-security-options", "sasl-tls-security-options", Parameter.SASL_TLS_SECURITY_OPTIONS),
            new Setting("--require-auth", "require-auth", Parameter.REQUIRE_AUTH));

    /**
     * What the command line gave for {@code parameter}, one of {@link #SETTINGS} (null when not
     * given). A switch rather than a function per setting: no lambda to spin at start-up.
     */
    private static Object given(Options options, Parameter parameter) {
        return switch (parameter) {
            case TLS_SECURITY_LEVEL -> options.tls();
            case TLS_CA_FILE -> options.tlsCa();
            case TLS_CERT_FILE -> options.tlsCert();
            case TLS_KEY_FILE -> options.tlsKey();
            case TLS_TRUST_STORE -> options.tlsTrustStore();
            case TLS_KEY_STORE -> options.tlsKeyStore();
            case SASL_MECHANISMS -> options.saslMechanisms();
            case SASL_CHANNEL_BINDING -> options.saslChannelBinding();
            case SASL_SCRAM_MAX_ITERATIONS -> options.saslScramMaxIterations();
            case SASL_TLS_SECURITY_OPTIONS -> options.saslTlsSecurityOptions();
            case REQUIRE_AUTH -> options.requireAuth() ? "true" : null;
            default -> throw new IllegalArgumentException("no option sets " + parameter);
        };
    }

    /**
     * How the command names the parameters in messages: its options, its variables, and -a for the
     * credentials; and the pattern that finds them. Built on first use (a message to show), not at start-up.
     */
    private static final class Names {

        static final Map<String, String> NAMES;

        static {
            Map<String, String> names = new HashMap<>();
            for (Setting setting : SETTINGS) {
                names.put(setting.parameter().key(), setting.option());
            }
            names.put(Parameter.TLS_TRUST_STORE_PASSWORD.key(), "$" + TRUST_STORE_PASSWORD_VARIABLE);
            names.put(Parameter.TLS_KEY_STORE_PASSWORD.key(), "$" + KEY_STORE_PASSWORD_VARIABLE);
            names.put(Parameter.SASL_PASSWORD_MAP.key(), "-a");
            NAMES = Map.copyOf(names);
        }

        static final Pattern NAMED = Pattern.compile("(parameter )?'?\\b(" + String.join("|", NAMES.keySet()) + ")\\b'?");
    }

    static SessionSecurity resolve(Options options, ConfigFile config, Map<String, String> env, DestinationList destination,
                                   PasswordPrompt prompt) throws CommandException {
        Map<String, String> parameters = new HashMap<>();
        for (Setting setting : SETTINGS) {
            Object given = given(options, setting.parameter());
            Optional<String> value = given != null ? Optional.of(given.toString()) : config.security(setting.key());
            if (value.isPresent()) {
                parameters.put(setting.parameter().key(), value.get());
            }
        }
        storePassword(parameters, Parameter.TLS_TRUST_STORE, Parameter.TLS_TRUST_STORE_PASSWORD, TRUST_STORE_PASSWORD_VARIABLE, env);
        storePassword(parameters, Parameter.TLS_KEY_STORE, Parameter.TLS_KEY_STORE_PASSWORD, KEY_STORE_PASSWORD_VARIABLE, env);
        Optional<String> user = Optional.ofNullable(options.user()).or(() -> config.security("user"));
        Optional<Path> map = Optional.ofNullable(options.passwordMap()).or(() -> config.security("password-map").map(Path::of));
        boolean auth = options.auth() || config.security("auth").map(Boolean::parseBoolean).orElse(false) || user.isPresent()
                || map.isPresent() || Boolean.parseBoolean(parameters.get(Parameter.REQUIRE_AUTH.key()));
        if (parameters.isEmpty() && !auth) {
            return NONE; // what ClientSecurity makes of no parameter, without its start-up cost (SessionSecurityTest)
        }
        Optional<Supplier<CredentialSource>> credentials = Optional.empty();
        if (auth) {
            parameters.put(Parameter.SASL_AUTH_CACHE_TIME.key(), "0");
            credentials = Optional.of(() -> {
                try {
                    return SaslCredentials.of(user, map, env, destination, prompt);
                } catch (CommandException e) {
                    throw new Refused(e);
                }
            });
        }
        try {
            ClientSecurity security = ClientSecurity.parse(parameters, env::get, credentials);
            List<String> warnings = new ArrayList<>();
            for (String warning : security.warnings()) {
                warnings.add(inOurWords(warning));
            }
            return new SessionSecurity(security.tls(), security.sasl(), List.copyOf(warnings));
        } catch (ConfigurationError e) {
            throw CommandException.usage(inOurWords(e.getMessage()));
        } catch (Refused e) {
            throw (CommandException) e.getCause();
        }
    }

    /** The store's password as {@code env:VARIABLE} when the store is given and the variable set. */
    private static void storePassword(Map<String, String> parameters, Parameter store, Parameter password, String variable,
                                      Map<String, String> env) {
        if (parameters.containsKey(store.key()) && env.containsKey(variable)) {
            parameters.put(password.key(), "env:" + variable);
        }
    }

    /** {@code parameter 'tlsSecurityLevel': ...} as {@code --tls: ...}; every parameter by its option; "parameters" as "options". */
    static String inOurWords(String message) {
        Matcher named = Names.NAMED.matcher(message);
        StringBuilder out = new StringBuilder();
        while (named.find()) {
            named.appendReplacement(out, Matcher.quoteReplacement(Names.NAMES.get(named.group(2))));
        }
        named.appendTail(out);
        return out.toString().replaceAll("\\bparameters\\b", "options").replaceAll("\\bparameter\\b", "option");
    }

    /** A {@link CommandException} out of the credentials supplier, which cannot throw it. */
    private static final class Refused extends RuntimeException {

        private static final long serialVersionUID = 1L;

        Refused(CommandException refusal) {
            super(refusal);
        }
    }
}
