/**
 * The delivery journal (Postfix's per-recipient marks in its queue file): each recipient's fate
 * written the moment it is known ({@code AttemptMarks}) in one mail's journal ({@code MailJournal},
 * its lines {@code JournalLines}), behind one face ({@code DeliveryJournal}) whichever store keeps
 * it ({@code JournalStore}): local files ({@code FileJournal}, one log with group commit
 * {@code JournalLog}, {@code LogMailJournal}, the settled
 * ids {@code SettledItems}, {@code JournalSweeper}) or James's blob store, read by every node
 * ({@code BlobJournal}, {@code BlobMailJournal}, {@code JournalBlob}, {@code BlobJournalSweeper}).
 * What keeps "never twice" across a kill.
 */
package dev.jameslmtp.mailet.journal;
