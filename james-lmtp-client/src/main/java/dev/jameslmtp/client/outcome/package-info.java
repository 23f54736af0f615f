/**
 * What happens to each recipient: the one failure policy ({@link dev.jameslmtp.client.outcome.Trouble},
 * Postfix's {@code smtp_trouble.c}) turns a reply or an exception at a stage into a
 * {@link dev.jameslmtp.client.outcome.Verdict} whose {@link dev.jameslmtp.client.outcome.Fate} is delivered,
 * deferred or bounced; the {@link dev.jameslmtp.client.outcome.RecipientLedger} gives each recipient exactly
 * one, by position, in a {@link dev.jameslmtp.client.outcome.DeliveryResult}.
 */
package dev.jameslmtp.client.outcome;
