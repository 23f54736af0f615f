/**
 * What the mail system says about a mail: RFC 3464 DSNs written by the mailet ({@code DsnSender},
 * {@code DsnReport}), James's own bounce path with its attributes ({@code Bounces}), delay warnings
 * ({@code DelayWarnings}, {@code ArrivalDate}), the postmaster's notice of a protocol error
 * ({@code ProtocolNotices}), all from the mailer daemon ({@code MailerDaemon}).
 */
package dev.jameslmtp.mailet.report;
