/**
 * SASL AUTH: mechanisms (PLAIN, LOGIN, CRAM-MD5, SCRAM and SCRAM-PLUS), their choice under the
 * security options of the protection in place, credentials from a Postfix {@code sasl_passwd}-style
 * password map that follows its file, and secrets that never print.
 */
package dev.jameslmtp.client.sasl;
