package dev.jameslmtp.cli;

import dev.jameslmtp.client.wire.Transcript;

/** Text from the user or a file, made safe to print in a one-line error message. */
final class Sanitise {

    private static final int MAX = 60;

    private Sanitise() {
    }

    static String shown(String text) {
        String safe = Transcript.neutralise(text);
        return safe.length() > MAX ? safe.substring(0, MAX) + "..." : safe;
    }
}
