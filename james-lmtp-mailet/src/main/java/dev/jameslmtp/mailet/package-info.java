/**
 * {@link dev.jameslmtp.mailet.LmtpDelivery}, the RemoteDelivery-style mailet, and its Guice module.
 * Beneath it: {@code queue} (the way in, the queue loop, per-destination windows), {@code attempt}
 * (one attempt and what James does with each recipient), {@code journal} (never twice across a
 * kill), {@code report} (DSNs, bounces, notices) and {@code health} (the stores in James's health
 * checks).
 */
package dev.jameslmtp.mailet;
