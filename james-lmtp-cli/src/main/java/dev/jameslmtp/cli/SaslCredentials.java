package dev.jameslmtp.cli;

import java.nio.file.Path;
import java.util.Arrays;
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

/**
 * The credentials of one run, which the mailet does not have: with a user ({@code --user}, key
 * {@code user}), that user and the password from {@code $LMTP_PASSWORD} or, failing that, typed on
 * the terminal without echo; with a password map alone, its entry for the destination (Postfix's
 * lookup); otherwise {@code $USER} with the password from {@code $LMTP_PASSWORD} or the terminal.
 * A password is never taken from the command line.
 *
 * <p>DIAGNOSTICS: a {@link CommandException} (64): an unusable password map (file and line, never
 * its content), no map entry for the destination, no password and no terminal, a user name that
 * cannot be sent.
 */
final class SaslCredentials {

    static final String PASSWORD_VARIABLE = "LMTP_PASSWORD";

    private SaslCredentials() {
    }

    static CredentialSource of(Optional<String> user, Optional<Path> map, Map<String, String> env, DestinationList destination,
                               PasswordPrompt prompt) throws CommandException {
        if (user.isEmpty() && map.isPresent()) {
            return passwordMap(map.get(), destination);
        }
        String name = user.orElseGet(() -> defaultUser(env));
        try {
            return CredentialSource.fixed(new Credentials(name, password(name, env, destination, prompt)));
        } catch (IllegalArgumentException e) {
            throw CommandException.usage("--user: " + e.getMessage());
        }
    }

    private static CredentialSource passwordMap(Path map, DestinationList destination) throws CommandException {
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

    private static String defaultUser(Map<String, String> env) {
        String user = env.get("USER");
        if (user == null || user.isBlank()) {
            user = env.get("LOGNAME");
        }
        return user == null || user.isBlank() ? System.getProperty("user.name", "nobody") : user;
    }
}
