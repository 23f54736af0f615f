/**
 * Test peers and fixtures: a scriptable fake LMTP server on a loopback socket (exact bytes, injected
 * faults), private Dovecot, Cyrus and RabbitMQ instances under {@code target/}, test certificates,
 * and an RFC 3464 DSN reader.
 */
package dev.jameslmtp.testing;
