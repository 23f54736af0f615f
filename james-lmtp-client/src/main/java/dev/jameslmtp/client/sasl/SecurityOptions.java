package dev.jameslmtp.client.sasl;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Postfix's {@code lmtp_sasl_security_options} for the mechanisms this client has: {@code
 * noplaintext} forbids PLAIN and LOGIN, {@code noanonymous} forbids anonymous mechanisms (none is
 * implemented, so it is always true in effect). Written as a list separated by commas or spaces;
 * {@code none} (or an empty list) allows every mechanism.
 */
public record SecurityOptions(boolean noPlaintext, boolean noAnonymous) {

    /** Postfix's default, {@code noplaintext, noanonymous}. */
    public static final SecurityOptions DEFAULT = new SecurityOptions(true, true);
    /** {@code noanonymous}: Postfix's usual value for TLS sessions. */
    public static final SecurityOptions NO_ANONYMOUS = new SecurityOptions(false, true);

    /**
     * Parses {@code "noplaintext, noanonymous"}.
     *
     * @throws IllegalArgumentException naming an unknown word and the accepted ones
     */
    public static SecurityOptions parse(String text) {
        boolean noPlaintext = false;
        boolean noAnonymous = false;
        for (String word : text.strip().split("[,\\s]+")) {
            switch (word.toLowerCase(Locale.ROOT)) {
                case "", "none" -> { }
                case "noplaintext" -> noPlaintext = true;
                case "noanonymous" -> noAnonymous = true;
                default -> throw new IllegalArgumentException("unknown SASL security option '" + word
                        + "' (accepted: noplaintext, noanonymous, none)");
            }
        }
        return new SecurityOptions(noPlaintext, noAnonymous);
    }

    public boolean allows(Mechanism mechanism) {
        return !(noPlaintext && mechanism.plaintext());
    }

    /** The mechanisms these options allow. */
    public Set<Mechanism> allowed() {
        EnumSet<Mechanism> allowed = EnumSet.noneOf(Mechanism.class);
        for (Mechanism mechanism : Mechanism.values()) {
            if (allows(mechanism)) {
                allowed.add(mechanism);
            }
        }
        return allowed;
    }

    @Override
    public String toString() {
        if (!noPlaintext && !noAnonymous) {
            return "none";
        }
        return noPlaintext && noAnonymous ? "noplaintext, noanonymous" : noPlaintext ? "noplaintext" : "noanonymous";
    }
}
