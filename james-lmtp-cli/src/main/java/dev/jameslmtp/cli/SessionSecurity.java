package dev.jameslmtp.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.jameslmtp.client.DestinationList;
import dev.jameslmtp.client.LmtpClient;
import dev.jameslmtp.client.credentials.CredentialSource;
import dev.jameslmtp.client.credentials.Credentials;
import dev.jameslmtp.client.credentials.PasswordMapException;
import dev.jameslmtp.client.credentials.PasswordMapFile;
import dev.jameslmtp.client.credentials.PasswordMapKeys;
import dev.jameslmtp.client.credentials.Secret;
import dev.jameslmtp.client.sasl.ChannelBindingType;
import dev.jameslmtp.client.sasl.Mechanism;
import dev.jameslmtp.client.sasl.Protection;
import dev.jameslmtp.client.sasl.SaslPolicy;
import dev.jameslmtp.client.sasl.ScramIterations;
import dev.jameslmtp.client.sasl.SecurityOptions;
import dev.jameslmtp.client.tls.TlsLevel;
import dev.jameslmtp.client.tls.TlsPolicy;

/**
 * TLS and SASL for one run of the command, resolved from the options, the {@code -C} file and the
 * environment before anything is read or sent.
 *
 * <p>Authentication is asked for by {@code -a}, {@code --user}, {@code --password-map},
 * {@code --require-auth} or their {@code -C} keys. The credentials are, in this order: with a user
 * ({@code --user}, key {@code user}), that user and the password from {@code $LMTP_PASSWORD} or,
 * failing that, typed on the terminal without echo; with a password map, its entry for the
 * destination (Postfix's lookup); otherwise {@code $USER} with the password from
 * {@code $LMTP_PASSWORD} or the terminal. A password is never taken from the command line.
 *
 * <p>Key store passwords come from {@code $LMTP_TRUSTSTORE_PASSWORD} (optional) and {@code
 * $LMTP_KEYSTORE_PASSWORD} (required with {@code --tls-keystore}), never from the command line.
 *
 * <p>DIAGNOSTICS: a {@link CommandException} (64) naming the option: an unknown TLS level,
 * mechanism or channel binding type, a SCRAM iteration maximum below 4096, TLS files with {@code --tls none}, PEM files and a store for
 * the same thing, a key store without its password or with a wrong one (never shown), an unusable password map (file and line, never its
 * content), no map entry for the destination, no password and no terminal, unknown security options.
 * {@link #warnings()}: PLAIN and LOGIN allowed towards an unverified peer.
 */
record SessionSecurity(TlsPolicy tls, SaslPolicy sasl) {

    static final String PASSWORD_VARIABLE = "LMTP_PASSWORD";
    static final String TRUST_STORE_PASSWORD_VARIABLE = "LMTP_TRUSTSTORE_PASSWORD";
    static final String KEY_STORE_PASSWORD_VARIABLE = "LMTP_KEYSTORE_PASSWORD";

    /** The security options as picocli left them: null or false when not given. */
    record Options(boolean auth, String user, Path passwordMap, String tls, Path tlsCa, Path tlsCert, Path tlsKey,
                   Path tlsTrustStore, Path tlsKeyStore, String saslMechanisms, String saslChannelBinding, String saslScramMaxIterations,
                   boolean requireAuth, String saslTlsSecurityOptions) {
    }

    /**
     * What stderr should say before anything is sent: PLAIN or LOGIN allowed where a peer that has
     * not proven who it is could read the password (at {@code --tls may} or {@code encrypt} with
     * {@code --sasl-tls-security-options noanonymous}).
     */
    List<String> warnings() {
        return sasl.plaintextToUnverifiedPeers(tls.level()).stream()
                .map(protection -> "--sasl-" + (protection == Protection.CLEAR ? "" : "tls-") + "security-options '"
                        + sasl.optionsFor(protection) + "' allows PLAIN and LOGIN on " + protection.description() + " (--tls "
                        + tls.level() + "): whoever is on the path to the server can take the password; prefer --tls verify")
                .toList();
    }

    static SessionSecurity resolve(Options options, ConfigFile config, Map<String, String> env, DestinationList destination,
                                   PasswordPrompt prompt) throws CommandException {
        TlsPolicy tls = tls(options, config, env);
        String user = options.user() != null ? options.user() : config.security("user").orElse(null);
        Path map = options.passwordMap() != null ? options.passwordMap() : config.security("password-map").map(Path::of).orElse(null);
        boolean requireAuth = options.requireAuth() || config.security("require-auth").map(Boolean::parseBoolean).orElse(false);
        boolean auth = options.auth() || requireAuth || user != null || map != null
                || config.security("auth").map(Boolean::parseBoolean).orElse(false);
        String mechanisms = options.saslMechanisms() != null ? options.saslMechanisms() : config.security("sasl-mechanisms").orElse(null);
        String binding = options.saslChannelBinding() != null ? options.saslChannelBinding()
                : config.security("sasl-channel-binding").orElse(null);
        String tlsOptions = options.saslTlsSecurityOptions() != null ? options.saslTlsSecurityOptions()
                : config.security("sasl-tls-security-options").orElse(null);
        String maxIterations = options.saslScramMaxIterations() != null ? options.saslScramMaxIterations()
                : config.security("sasl-scram-max-iterations").orElse(null);
        if (!auth) {
            if (tlsOptions != null) {
                throw CommandException.usage("--sasl-tls-security-options is given, but no authentication (-a) is asked for");
            }
            if (maxIterations != null) {
                throw CommandException.usage("--sasl-scram-max-iterations is given, but no authentication (-a) is asked for");
            }
            if (mechanisms != null) {
                throw CommandException.usage("--sasl-mechanisms is given, but no authentication (-a) is asked for");
            }
            if (binding != null) {
                throw CommandException.usage("--sasl-channel-binding is given, but no authentication (-a) is asked for");
            }
            return new SessionSecurity(tls, SaslPolicy.NONE);
        }
        SaslPolicy sasl = SaslPolicy.of(credentials(user, map, env, destination, prompt)).withRequireAuth(requireAuth);
        if (mechanisms != null) {
            sasl = sasl.withMechanisms(mechanisms(mechanisms));
        }
        if (binding != null) {
            try {
                sasl = sasl.withChannelBinding(ChannelBindingType.parse(binding));
            } catch (IllegalArgumentException e) {
                throw CommandException.usage("--sasl-channel-binding: '" + Sanitise.shown(binding) + "' is not a channel binding type"
                        + " (none, tls-server-end-point)");
            }
        }
        if (tlsOptions != null) {
            try {
                sasl = sasl.withOptions(sasl.options(), SecurityOptions.parse(tlsOptions), sasl.verifiedOptions());
            } catch (IllegalArgumentException e) {
                throw CommandException.usage("--sasl-tls-security-options: '" + Sanitise.shown(tlsOptions)
                        + "' is not a list of security options (noplaintext, noanonymous, or none)");
            }
        }
        if (maxIterations != null) {
            sasl = sasl.withScramIterations(scramIterations(maxIterations));
        }
        return new SessionSecurity(tls, sasl);
    }

    private static ScramIterations scramIterations(String text) throws CommandException {
        try {
            return new ScramIterations(Integer.parseInt(text.strip()));
        } catch (IllegalArgumentException e) {
            throw CommandException.usage("--sasl-scram-max-iterations: '" + Sanitise.shown(text) + "' is not a whole number from "
                    + ScramIterations.MIN + " (the least RFC 7677 allows)");
        }
    }

    private static CredentialSource credentials(String user, Path map, Map<String, String> env, DestinationList destination,
                                                PasswordPrompt prompt) throws CommandException {
        if (user == null && map != null) {
            PasswordMapFile file;
            try {
                file = PasswordMapFile.open(map, LmtpClient::localHostName);
            } catch (PasswordMapException e) {
                throw CommandException.usage("--password-map: " + e.getMessage());
            }
            if (destination.servers().stream().allMatch(server -> file.forDestination(server).isEmpty())) {
                List<String> keys = destination.servers().stream()
                        .flatMap(server -> PasswordMapKeys.of(server, LmtpClient.localHostName()).stream()).distinct().toList();
                throw CommandException.usage("--password-map: " + map + " has no entry for " + destination
                        + " (keys tried: " + String.join(", ", keys) + ")");
            }
            return file;
        }
        String name = user != null ? user : defaultUser(env);
        try {
            return CredentialSource.fixed(new Credentials(name, password(name, env, destination, prompt)));
        } catch (IllegalArgumentException e) {
            throw CommandException.usage("--user: " + e.getMessage());
        }
    }

    private static Secret password(String user, Map<String, String> env, DestinationList destination, PasswordPrompt prompt)
            throws CommandException {
        String fromEnv = env.get(PASSWORD_VARIABLE);
        if (fromEnv != null) {
            return Secret.of(fromEnv);
        }
        Optional<char[]> typed = prompt.read("Password for " + user + " at " + destination + ": ");
        if (typed.isEmpty()) {
            throw CommandException.usage("-a: no password for " + user + ": set $" + PASSWORD_VARIABLE
                    + ", give --password-map, or run lmtp where it can ask on the terminal (/dev/tty)");
        }
        char[] chars = typed.get();
        Secret secret = Secret.of(chars);
        Arrays.fill(chars, '\0');
        return secret;
    }

    private static TlsPolicy tls(Options options, ConfigFile config, Map<String, String> env) throws CommandException {
        String levelText = options.tls() != null ? options.tls() : config.security("tls").orElse("none");
        TlsLevel level;
        try {
            level = TlsLevel.parse(levelText);
        } catch (IllegalArgumentException e) {
            throw CommandException.usage("--tls: '" + Sanitise.shown(levelText) + "' is not a TLS level (none, may, encrypt, verify)");
        }
        Path ca = options.tlsCa() != null ? options.tlsCa() : config.security("tls-ca").map(Path::of).orElse(null);
        Path cert = options.tlsCert() != null ? options.tlsCert() : config.security("tls-cert").map(Path::of).orElse(null);
        Path key = options.tlsKey() != null ? options.tlsKey() : config.security("tls-key").map(Path::of).orElse(null);
        Path trustStore = options.tlsTrustStore() != null ? options.tlsTrustStore()
                : config.security("tls-truststore").map(Path::of).orElse(null);
        Path keyStore = options.tlsKeyStore() != null ? options.tlsKeyStore() : config.security("tls-keystore").map(Path::of).orElse(null);
        if (level == TlsLevel.NONE) {
            if (ca != null || cert != null || key != null || trustStore != null || keyStore != null) {
                throw CommandException.usage("--tls-ca, --tls-cert, --tls-key, --tls-truststore and --tls-keystore need --tls may, "
                        + "encrypt or verify");
            }
            return TlsPolicy.NONE;
        }
        if ((cert == null) != (key == null)) {
            throw CommandException.usage("--tls-cert and --tls-key go together: give both or neither");
        }
        if (ca != null && trustStore != null) {
            throw CommandException.usage("--tls-ca and --tls-truststore: give one or the other");
        }
        if (cert != null && keyStore != null) {
            throw CommandException.usage("--tls-cert/--tls-key and --tls-keystore: give one or the other");
        }
        String keyStorePassword = env.get(KEY_STORE_PASSWORD_VARIABLE);
        if (keyStore != null && keyStorePassword == null) {
            throw CommandException.usage("--tls-keystore: set its password in $" + KEY_STORE_PASSWORD_VARIABLE);
        }
        TlsPolicy.Builder builder = TlsPolicy.builder(level);
        if (ca != null) {
            builder.caFile(ca);
        }
        if (cert != null) {
            builder.clientCertificate(cert, key);
        }
        if (trustStore != null) {
            builder.trustStore(trustStore, Optional.ofNullable(env.get(TRUST_STORE_PASSWORD_VARIABLE)).map(Secret::of));
        }
        if (keyStore != null) {
            builder.keyStore(keyStore, Secret.of(keyStorePassword));
        }
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw CommandException.usage("--tls-ca/--tls-cert/--tls-key/--tls-truststore/--tls-keystore: " + e.getMessage());
        }
    }

    private static EnumSet<Mechanism> mechanisms(String text) throws CommandException {
        EnumSet<Mechanism> set = EnumSet.noneOf(Mechanism.class);
        for (String name : text.strip().split("[,\\s]+")) {
            if (name.isEmpty()) {
                continue;
            }
            set.add(Mechanism.named(name).orElseThrow(() -> CommandException.usage("--sasl-mechanisms: unknown mechanism '"
                    + Sanitise.shown(name) + "' (known: " + Arrays.stream(Mechanism.values()).map(Mechanism::saslName).toList() + ")")));
        }
        if (set.isEmpty()) {
            throw CommandException.usage("--sasl-mechanisms: no mechanism given");
        }
        return set;
    }

    private static String defaultUser(Map<String, String> env) {
        String user = env.get("USER");
        if (user == null || user.isBlank()) {
            user = env.get("LOGNAME");
        }
        return user == null || user.isBlank() ? System.getProperty("user.name", "nobody") : user;
    }
}
