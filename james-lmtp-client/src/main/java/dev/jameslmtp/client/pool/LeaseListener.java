package dev.jameslmtp.client.pool;

import dev.jameslmtp.client.session.LmtpConnection;

/**
 * Told when a connection starts and stops serving a transaction, so that its owner can close the
 * connections in use when it shuts down (a blocked read then fails at once). Idle connections
 * are the pool's, not the listener's.
 */
public interface LeaseListener {

    LeaseListener NONE = new LeaseListener() {
        @Override
        public void leased(LmtpConnection connection) {
        }

        @Override
        public void returned(LmtpConnection connection) {
        }
    };

    void leased(LmtpConnection connection);

    void returned(LmtpConnection connection);
}
