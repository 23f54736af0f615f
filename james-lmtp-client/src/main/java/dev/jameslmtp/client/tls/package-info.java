/**
 * TLS for LMTP sessions: levels (Postfix's {@code none}, {@code may}, {@code encrypt}, {@code verify}),
 * trust and client keys from PEM or key stores, and the server end-point for SCRAM channel binding.
 */
package dev.jameslmtp.client.tls;
