/**
 * The LMTP client (RFC 2033): destinations and lists of them ({@link dev.jameslmtp.client.Destination},
 * {@link dev.jameslmtp.client.DestinationList}), a session ({@link dev.jameslmtp.client.LmtpClient} opens an
 * {@link dev.jameslmtp.client.LmtpConnection} through {@link dev.jameslmtp.client.SessionOpener}: greeting, LHLO,
 * STARTTLS, AUTH), the wire beneath it (per-stage deadlines, bounded reply reading, dot-stuffing, the
 * transcript), and what comes back: one {@link dev.jameslmtp.client.Verdict} per recipient, by position,
 * in a {@link dev.jameslmtp.client.DeliveryResult}, decided by the one failure policy,
 * {@link dev.jameslmtp.client.Trouble}. Also the recipient probe of the SMTP hook.
 */
package dev.jameslmtp.client;
