/**
 * Test peers and fixtures: a scriptable fake LMTP server on a loopback socket (exact bytes, injected
 * faults), private Dovecot and Cyrus instances under {@code target/}, test certificates, and an
 * RFC 3464 DSN reader.
 */
package dev.jameslmtp.testing;
