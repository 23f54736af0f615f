package dev.jameslmtp.client.session;

import java.util.List;
import java.util.OptionalLong;

import dev.jameslmtp.client.ContentInfo;
import dev.jameslmtp.client.Envelope;
import dev.jameslmtp.client.Recipient;
import dev.jameslmtp.client.outcome.RecipientLedger;
import dev.jameslmtp.client.outcome.Trouble;
import dev.jameslmtp.client.wire.Command;
import dev.jameslmtp.client.wire.WireSafety;

/**
 * A transaction as the server's LHLO reply allows it: the recipients it cannot take before a byte
 * is sent (a message over its SIZE, an address needing SMTPUTF8 it does not offer), then MAIL FROM
 * and RCPT TO: BODY=8BITMIME, SIZE and SMTPUTF8 when offered and needed, RET and ENVID with DSN,
 * NOTIFY with DSN, ORCPT with DSN or when the store takes it without ({@link OrcptPolicy}).
 */
final class TransactionCommands {

    private TransactionCommands() {
    }

    /** SIZE and SMTPUTF8 checks that fail recipients before a byte is sent; true when none is left. */
    static boolean refusedBeforeSending(Capabilities capabilities, String peer, Envelope envelope, ContentInfo info,
                                        RecipientLedger ledger) {
        OptionalLong limit = capabilities.sizeLimit();
        if (limit.isPresent() && info.size() > limit.getAsLong()) {
            ledger.decideRemaining(Trouble.messageTooBig(info.size(), limit.getAsLong(), peer));
            return true;
        }
        if (!capabilities.smtpUtf8()) {
            if (envelope.senderNeedsSmtpUtf8()) {
                ledger.decideRemaining(Trouble.smtpUtf8Required(peer, "sender"));
                return true;
            }
            for (int i = 0; i < envelope.recipients().size(); i++) {
                if (WireSafety.needsSmtpUtf8(envelope.recipients().get(i).address())) {
                    ledger.decide(i, Trouble.smtpUtf8Required(peer, "recipient"));
                }
            }
        }
        return ledger.undecided().isEmpty();
    }

    static Command mail(Capabilities capabilities, Envelope envelope, List<Integer> recipients, ContentInfo info) {
        StringBuilder mail = new StringBuilder("MAIL FROM:<").append(envelope.sender()).append('>');
        if (capabilities.eightBitMime() && info.eightBit()) {
            mail.append(" BODY=8BITMIME");
        }
        if (capabilities.size()) {
            mail.append(" SIZE=").append(info.size());
        }
        if (capabilities.smtpUtf8() && needsSmtpUtf8(envelope, recipients)) {
            mail.append(" SMTPUTF8");
        }
        if (capabilities.dsn()) {
            envelope.ret().ifPresent(ret -> mail.append(" RET=").append(ret));
            envelope.envid().ifPresent(envid -> mail.append(" ENVID=").append(envid));
        }
        return Command.of(mail.toString());
    }

    private static boolean needsSmtpUtf8(Envelope envelope, List<Integer> recipients) {
        if (envelope.senderNeedsSmtpUtf8()) {
            return true;
        }
        for (int index : recipients) {
            if (WireSafety.needsSmtpUtf8(envelope.recipients().get(index).address())) {
                return true;
            }
        }
        return false;
    }

    static Command rcpt(Capabilities capabilities, boolean orcptWithoutDsn, Recipient recipient) {
        StringBuilder rcpt = new StringBuilder("RCPT TO:<").append(recipient.address()).append('>');
        if (capabilities.dsn()) {
            recipient.notification().ifPresent(notify -> rcpt.append(" NOTIFY=").append(notify));
        }
        if (capabilities.dsn() || orcptWithoutDsn) {
            recipient.originalRecipient().ifPresent(orcpt -> rcpt.append(" ORCPT=").append(orcpt));
        }
        return Command.of(rcpt.toString());
    }
}
