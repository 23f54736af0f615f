/**
 * The bytes on the socket: connecting (TCP or a UNIX socket), commands and replies
 * ({@link dev.jameslmtp.client.wire.Command}, {@link dev.jameslmtp.client.wire.Reply} with its sanitised
 * {@link dev.jameslmtp.client.wire.EnhancedStatus}, read through a bounded
 * {@link dev.jameslmtp.client.wire.ReplyReader}), per-stage deadlines on reads and writes (the watchdog, a
 * conversation's total), dot-stuffing, what may reach the wire, and the transcript with its redaction.
 */
package dev.jameslmtp.client.wire;
