package dev.jameslmtp.client.wire;

/**
 * Checks every string that will reach the wire before a socket is touched.
 *
 * <p>CR, LF, NUL and the other C0 control characters (and DEL) would let a value end a command
 * early and inject another one, so they are refused in addresses, the LHLO name and ESMTP
 * parameters. The error names the argument, never its value: values may be personal data.
 */
public final class WireSafety {

    private WireSafety() {
    }

    /** @throws IllegalArgumentException if {@code value} holds a control character */
    public static String requireNoControlCharacters(String argument, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException(argument + " contains a control character (code "
                        + (int) c + " at position " + i + "); CR, LF, NUL and other control characters are not allowed on the wire");
            }
        }
        return value;
    }

    /**
     * An envelope address as written between {@code <} and {@code >}: no control characters, no
     * angle brackets, and not longer than RFC 5321's 256-octet path limit. The empty string is
     * the null sender.
     */
    public static String requireAddress(String argument, String address) {
        requireNoControlCharacters(argument, address);
        if (address.indexOf('<') >= 0 || address.indexOf('>') >= 0) {
            throw new IllegalArgumentException(argument + " contains '<' or '>'; give the bare address");
        }
        if (address.length() > 256) {
            throw new IllegalArgumentException(argument + " is " + address.length() + " characters long; the limit is 256");
        }
        return address;
    }

    /** An ESMTP parameter value (NOTIFY, ORCPT, ENVID, RET): printable, no spaces, no '='. */
    public static String requireParameterValue(String argument, String value) {
        requireNoControlCharacters(argument, value);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ' ' || c == '=' || c > 0x7e) {
                throw new IllegalArgumentException(argument + " contains '" + (c == ' ' ? "space" : c > 0x7e ? "non-ASCII" : "=")
                        + "' at position " + i + "; ESMTP parameter values must be xtext");
            }
        }
        return value;
    }

    /** The LHLO argument: a domain name or an address literal, printable ASCII without spaces. */
    public static String requireLhloName(String name) {
        requireNoControlCharacters("LHLO name", name);
        if (name.isEmpty() || !name.matches("[\\x21-\\x7e]+")) {
            throw new IllegalArgumentException("LHLO name must be a non-empty host name or address literal without spaces");
        }
        return name;
    }

    /** True when the address needs SMTPUTF8 (RFC 6531): any non-ASCII character. */
    public static boolean needsSmtpUtf8(String address) {
        for (int i = 0; i < address.length(); i++) {
            if (address.charAt(i) > 0x7f) {
                return true;
            }
        }
        return false;
    }
}
