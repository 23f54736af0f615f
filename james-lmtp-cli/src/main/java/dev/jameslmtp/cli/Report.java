package dev.jameslmtp.cli;

import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Verdict;
import dev.jameslmtp.client.wire.Transcript;

import java.util.ArrayList;
import java.util.List;

/**
 * One line per recipient, in envelope order (duplicates included), columns separated by at
 * least two spaces and aligned, so that both people and {@code grep}/{@code awk} can read it:
 *
 * <pre>
 * alice@example.test   delivered  250  2.0.0  &lt;alice@example.test&gt; Ua3H Saved
 * nobody@example.test  bounced    550  5.1.1  &lt;nobody@example.test&gt; User doesn't exist: nobody@example.test
 * bob@example.test     deferred   -    4.4.1  connect to inet:localhost:24: Connection refused
 * </pre>
 *
 * The columns are: address, outcome ({@code delivered}, {@code deferred} for a temporary failure,
 * {@code bounced} for a permanent one), reply code ({@code -} when the outcome was decided
 * locally, e.g. connection refused or timeout), enhanced status, and the server's text (or the
 * local diagnostic). With a destination list of several servers, a column before the text names
 * the server that answered ({@code -} when none did: connection refused everywhere), as the DSN's
 * {@code Remote-MTA} does. The address and the text are {@link Transcript#neutralise neutralised} on their
 * way to the terminal: a server's control characters (an escape sequence, a bare CR), line
 * separators and bidirectional marks are shown escaped, never acted on.
 */
final class Report {

    private Report() {
    }

    static List<String> lines(DeliveryResult result) {
        return lines(result, false);
    }

    /** With {@code servers}, a column before the text names the server that answered ({@code -} when none did). */
    static List<String> lines(DeliveryResult result, boolean servers) {
        int addressWidth = 0;
        int statusWidth = 0;
        int serverWidth = 0;
        for (int i = 0; i < result.verdicts().size(); i++) {
            Verdict outcome = result.verdict(i);
            addressWidth = Math.max(addressWidth, address(result.recipient(i)).length());
            statusWidth = Math.max(statusWidth, outcome.status().toString().length());
            serverWidth = Math.max(serverWidth, server(outcome).length());
        }
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < result.verdicts().size(); i++) {
            Verdict outcome = result.verdict(i);
            String line = pad(address(result.recipient(i)), addressWidth)
                    + "  " + pad(outcome(outcome), "delivered".length())
                    + "  " + pad(outcome.code() == 0 ? "-" : Integer.toString(outcome.code()), 3)
                    + "  " + pad(outcome.status().toString(), statusWidth)
                    + (servers ? "  " + pad(server(outcome), serverWidth) : "")
                    + "  " + Transcript.neutralise(outcome.text());
            lines.add(line.stripTrailing());
        }
        return lines;
    }

    private static String server(Verdict outcome) {
        return outcome.server().map(Object::toString).orElse("-");
    }

    private static String address(String recipient) {
        return Transcript.neutralise(recipient);
    }

    static String outcome(Verdict outcome) {
        return switch (outcome.fate()) {
            case DELIVERED -> "delivered";
            case DEFERRED -> "deferred";
            case BOUNCED -> "bounced";
        };
    }

    private static String pad(String text, int width) {
        return text.length() >= width ? text : text + " ".repeat(width - text.length());
    }
}
