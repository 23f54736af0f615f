package dev.jameslmtp.client.pool;

import dev.jameslmtp.client.wire.Transcript;

/**
 * The transcript a cached connection is opened with: it forwards to the transcript of whoever
 * holds the connection now, and to nowhere while it is idle, so that one mail's conversation is
 * never logged under another mail's name.
 */
final class LeaseTranscript implements Transcript {

    private volatile Transcript target;

    LeaseTranscript(Transcript first) {
        this.target = first;
    }

    void lendTo(Transcript holder) {
        target = holder;
    }

    void idle() {
        target = Transcript.NONE;
    }

    @Override
    public void client(String line) {
        target.client(line);
    }

    @Override
    public void server(String line) {
        target.server(line);
    }
}
