package dev.jameslmtp.conf;

import java.util.Collection;

/**
 * A configuration problem found while parsing, with a message that names the parameter (or file
 * and line), shows the rejected value and says what is accepted.
 *
 * <p>Values are shown neutralised (control characters as {@code \xNN}) and cut to
 * {@value #SHOWN_VALUE_LIMIT} characters. No parameter of this module holds a secret; a future one
 * that does must use {@link #invalidSecret} so that its value never appears.
 */
public final class ConfigurationError extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;
    static final int SHOWN_VALUE_LIMIT = 200;

    private ConfigurationError(String message) {
        super(message);
    }

    /** {@code parameter 'maxRetries': invalid value 'x': expected a whole number >= 0}. */
    public static ConfigurationError invalid(String parameter, String value, String expected) {
        return new ConfigurationError("parameter '" + parameter + "': invalid value '" + shown(value) + "': expected " + expected);
    }

    /** As {@link #invalid}, for a value that must never be echoed. */
    public static ConfigurationError invalidSecret(String parameter, String expected) {
        return new ConfigurationError("parameter '" + parameter + "': invalid value (not shown): expected " + expected);
    }

    public static ConfigurationError missing(String parameter, String expected) {
        return new ConfigurationError("parameter '" + parameter + "' is required: expected " + expected);
    }

    public static ConfigurationError unknown(Collection<String> parameters, Collection<String> accepted) {
        return new ConfigurationError("unknown parameter(s) " + parameters.stream().map(p -> "'" + shown(p) + "'").toList()
                + "; accepted parameters are " + accepted);
    }

    public static ConfigurationError conflict(String message) {
        return new ConfigurationError(message);
    }

    /** A problem at one line of a file: {@code transport map /etc/x, line 3: ...}. */
    public static ConfigurationError inFile(String what, String file, int line, String problem) {
        return new ConfigurationError(what + " " + file + ", line " + line + ": " + problem);
    }

    public static ConfigurationError unreadable(String parameter, String file, String reason) {
        return new ConfigurationError("parameter '" + parameter + "': cannot read file '" + shown(file) + "': " + reason);
    }

    /** The value as it may be shown in a message: neutralised and bounded. */
    public static String shown(String value) {
        StringBuilder out = new StringBuilder(Math.min(value.length(), SHOWN_VALUE_LIMIT) + 8);
        for (int i = 0; i < value.length() && i < SHOWN_VALUE_LIMIT; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02X", (int) c));
            } else {
                out.append(c);
            }
        }
        if (value.length() > SHOWN_VALUE_LIMIT) {
            out.append("...");
        }
        return out.toString();
    }
}
