/**
 * Recipient verification at James's SMTP door ({@link dev.jameslmtp.smtp.VerifyRecipientInStore}, Postfix's
 * {@code reject_unverified_recipient}): probes run off James's network threads on a bounded pool, their
 * answers cached, a failing store answered for without probing, each answer turned into an SMTP reply.
 */
package dev.jameslmtp.smtp;
