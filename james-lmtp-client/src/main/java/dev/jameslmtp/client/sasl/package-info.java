/**
 * SASL AUTH: the mechanisms (PLAIN, LOGIN, CRAM-MD5, SCRAM and SCRAM-PLUS with channel binding),
 * their choice under the security options of the protection in place (clear, TLS unverified, TLS
 * verified or a trusted UNIX socket), and remembered AUTH refusals. The credentials themselves are
 * in {@code client/credentials}.
 */
package dev.jameslmtp.client.sasl;
