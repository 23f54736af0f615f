package dev.jameslmtp.client.credentials;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The entries of a password map in Postfix's {@code sasl_passwd} text format, parsed once:
 *
 * <pre>
 * # comment
 * [10.0.0.5]:24          lmtp-user:secret
 * lmtp.example.com       other:pass:with:colons and spaces
 * /run/cyrus/lmtp        postman:x
 * </pre>
 *
 * <p>One entry per line: a key, white space, then {@code user:password}, split at the first
 * {@code :} so that a password may contain colons and spaces. Blank lines and lines whose first
 * non-blank character is {@code #} are ignored, as is white space around key and value. Keys are
 * case-insensitive (folded to lower case, as Postfix folds fixed-key tables). Immutable.
 *
 * <p>DIAGNOSTICS: {@link #parse} throws {@link PasswordMapException} naming the source and the line
 * number for a line without a value, a value without {@code :}, an empty user or a key given twice;
 * the message never shows the line's content, not even its key (an operator may have written
 * {@code user:password} in the key column).
 */
public final class PasswordMap {

    public static final PasswordMap EMPTY = new PasswordMap(Map.of());

    private final Map<String, Credentials> entries;

    private PasswordMap(Map<String, Credentials> entries) {
        this.entries = Map.copyOf(entries);
    }

    /** Parses the lines of a map; {@code source} (the file name) is used in error messages. */
    public static PasswordMap parse(List<String> lines, String source) {
        Map<String, Credentials> entries = new LinkedHashMap<>();
        Map<String, Integer> firstLines = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int number = i + 1;
            String[] keyAndValue = line.split("\\s+", 2);
            if (keyAndValue.length < 2) {
                throw error(source, number, "a key without a value (expected 'key user:password')");
            }
            String key = keyAndValue[0].toLowerCase(Locale.ROOT);
            String value = keyAndValue[1].strip();
            int colon = value.indexOf(':');
            if (colon < 0) {
                throw error(source, number, "the value has no ':' (expected 'key user:password')");
            }
            if (colon == 0) {
                throw error(source, number, "the user before ':' is empty (expected 'key user:password')");
            }
            Integer first = firstLines.putIfAbsent(key, number);
            if (first != null) {
                // never the key itself: an operator may have written user:password in the key column
                throw error(source, number, "the key of this line is also the key of line " + first);
            }
            Credentials credentials;
            try {
                credentials = Credentials.of(value.substring(0, colon), value.substring(colon + 1));
            } catch (IllegalArgumentException e) {
                throw error(source, number, e.getMessage());
            }
            entries.put(key, credentials);
        }
        return new PasswordMap(entries);
    }

    /** The entry of the first key that has one, keys tried in order. */
    public Optional<Credentials> lookup(List<String> keys) {
        for (String key : keys) {
            Credentials credentials = entries.get(key.toLowerCase(Locale.ROOT));
            if (credentials != null) {
                return Optional.of(credentials);
            }
        }
        return Optional.empty();
    }

    public int size() {
        return entries.size();
    }

    @Override
    public String toString() {
        return "PasswordMap[" + entries.size() + " entries]";
    }

    private static PasswordMapException error(String source, int line, String problem) {
        return new PasswordMapException("password map " + source + ", line " + line + ": " + problem);
    }
}
