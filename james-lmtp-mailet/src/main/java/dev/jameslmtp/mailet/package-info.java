/**
 * {@link dev.jameslmtp.mailet.LmtpDelivery}, the RemoteDelivery-style mailet: the way in
 * ({@code QueueIntake}), the queue loop and per-destination windows ({@code DeliveryConsumer},
 * {@code DestinationLimits}, {@code DestinationWindow}, {@code StoreFeedback}, {@code Backlog}), one attempt ({@code DeliveryAttempt},
 * {@code LmtpExchange}), the delivery journal ({@code DeliveryJournal}, {@code MailJournal}), what
 * James does with each recipient ({@code OutcomeMapper}, {@code OutcomeDispatcher}) and the reports
 * (RFC 3464 DSNs, James bounces, the log line, metrics).
 */
package dev.jameslmtp.mailet;
