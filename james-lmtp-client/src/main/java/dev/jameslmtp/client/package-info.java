/**
 * The LMTP client (RFC 2033), its face: destinations and lists of them
 * ({@link dev.jameslmtp.client.Destination}, {@link dev.jameslmtp.client.DestinationList}), the envelope and
 * the content, {@link dev.jameslmtp.client.LmtpClient} (which opens sessions, {@code session}), the
 * recipient probe of the SMTP hook and the session check of the health checks. Beneath it:
 * {@code wire} (the bytes on the socket), {@code session} (one conversation, stage by stage),
 * {@code outcome} (each recipient's verdict), {@code pool} (reuse and failover), {@code tls},
 * {@code sasl} and {@code credentials}.
 */
package dev.jameslmtp.client;
