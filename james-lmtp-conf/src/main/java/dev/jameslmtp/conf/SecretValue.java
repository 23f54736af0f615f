package dev.jameslmtp.conf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

import dev.jameslmtp.client.credentials.Secret;

/**
 * A secret parameter value (a key store password), so that it need not be written in {@code
 * mailetcontainer.xml}: {@code env:NAME} takes it from the environment variable {@code NAME} of
 * James's process, {@code file:/path} from the first line of that file (read once at init, the line
 * end dropped; keep it mode 0600), anything else is the password itself.
 *
 * <p>Errors name the parameter, the variable or the file, never the value.
 */
final class SecretValue {

    static final String ENV = "env:";
    static final String FILE = "file:";

    private SecretValue() {
    }

    static Secret parse(Parameter parameter, String value, UnaryOperator<String> environment) {
        if (value.startsWith(ENV)) {
            String name = value.substring(ENV.length()).strip();
            String found = name.isEmpty() ? null : environment.apply(name);
            if (found == null) {
                throw ConfigurationError.conflict("parameter '" + parameter.key() + "': environment variable '" + name
                        + "' is not set (expected env:NAME of a variable set for James, file:/path, or the password)");
            }
            return Secret.of(found);
        }
        if (value.startsWith(FILE)) {
            String name = value.substring(FILE.length()).strip();
            try {
                Path file = Path.of(name);
                String text = Files.readString(file, StandardCharsets.UTF_8);
                int end = text.indexOf('\n');
                String line = end < 0 ? text : text.substring(0, end);
                return Secret.of(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
            } catch (InvalidPathException | IOException e) {
                throw ConfigurationError.conflict("parameter '" + parameter.key() + "': cannot read the password file '" + name + "' ("
                        + (e instanceof NoSuchFileException ? "no such file" : e.getClass().getSimpleName()) + ")");
            }
        }
        return Secret.of(value);
    }
}
