package dev.jameslmtp.client.wire;

import java.nio.charset.StandardCharsets;

/**
 * One command line as it goes on the wire (without CRLF), and as the transcript may show it.
 * The two differ only for commands that carry secrets, such as AUTH.
 */
public record Command(String wire, String shown) {

    public Command {
        WireSafety.requireNoControlCharacters("command", wire);
    }

    public static Command of(String wire) {
        return new Command(wire, wire);
    }

    /** A command whose arguments after {@code visiblePrefix} are replaced by {@value Transcript#REDACTED}. */
    public static Command secret(String visiblePrefix, String wire) {
        return new Command(wire, visiblePrefix + Transcript.REDACTED);
    }

    public byte[] bytes() {
        return (wire + "\r\n").getBytes(StandardCharsets.UTF_8);
    }
}
