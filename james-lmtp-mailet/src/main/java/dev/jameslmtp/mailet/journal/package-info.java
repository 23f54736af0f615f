/**
 * The delivery journal (Postfix's per-recipient marks in its queue file): one file per queued mail
 * ({@code DeliveryJournal}, {@code MailJournal}) where each recipient's fate is written the moment
 * it is known ({@code AttemptMarks}), the ids of acknowledged items ({@code SettledItems}), and the
 * sweeper of journals left behind ({@code JournalSweeper}). What keeps "never twice" across a kill.
 */
package dev.jameslmtp.mailet.journal;
