/**
 * One LMTP session, stage by stage ({@link dev.jameslmtp.client.session.Stage}, with its
 * {@link dev.jameslmtp.client.session.Timeouts}): opening it ({@link dev.jameslmtp.client.session.SessionOpener}:
 * greeting, LHLO, STARTTLS, AUTH), what the server offers, and the transaction
 * ({@link dev.jameslmtp.client.session.LmtpConnection}: MAIL, RCPT, DATA, pipelined when offered, the
 * replies after the dot by position; the content after DATA in {@code DataTransfer}, or in BDAT
 * chunks to a store offering CHUNKING in {@code BdatTransfer}), then RSET or QUIT.
 */
package dev.jameslmtp.client.session;
