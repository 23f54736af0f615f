/**
 * One attempt on one mail: the envelope and content for the client ({@code Envelopes},
 * {@code MessageContent}), the LMTP exchanges per destination ({@code DeliveryAttempt},
 * {@code DestinationExchanges}, {@code LmtpExchange}, {@code OpenSessions}), what James does with
 * each verdict ({@code OutcomeMapper}: delivered, deferred with its retry, bounced), exactly one
 * verdict per recipient (the client's {@code DeliveryResult}, by position), carried out onto James ({@code OutcomeDispatcher}, retries in
 * {@code RetryState}, copies through {@code MailCopies}), and the attempt's log line, MDC, transcript
 * and metrics.
 */
package dev.jameslmtp.mailet.attempt;
