package dev.jameslmtp.mailet.report;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.DsnParameters;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Verdict;
import dev.jameslmtp.client.session.Stage;
import dev.jameslmtp.client.wire.Reply;
import dev.jameslmtp.client.wire.Transcript;
import dev.jameslmtp.mailet.attempt.MailCopies;

/**
 * {@code bounceMode=rfc3464}: after an attempt, sends the sender one {@link DsnReport} listing
 * every recipient that failed in it ({@code Action: failed}) and, when this attempt is the one
 * that warns, every recipient still being retried ({@code Action: delayed}).
 *
 * <p>Per recipient: {@code Status} is the sanitised enhanced status of its verdict (the store's
 * own {@code x.y.z} when its class agrees with the reply code, else {@code 5.0.0} / {@code 4.0.0});
 * {@code Diagnostic-Code} is {@code smtp; } and the store's reply when the store replied, else
 * {@code x-james-lmtp; } and the local diagnostic (connection refused, timeout...);
 * {@code Remote-MTA} names the store when it replied: {@code dns; host} for TCP, and, for a UNIX
 * socket, {@code x-unix; /path} (RFC 3464 has no registered name type for a socket, and leaves
 * unregistered types to the {@code X-} prefix, as sendmail's {@code X-Unix}). With a destination
 * list of several servers, it is the server of the list that replied ({@link Verdict#server()}).
 *
 * <p>RFC 3461 is honoured: a recipient whose NOTIFY leaves out FAILURE (or DELAY) is left out of
 * the failure (or delay) report, NOTIFY=NEVER from both; ORCPT becomes {@code Original-Recipient};
 * ENVID becomes {@code Original-Envelope-Id}; RET=HDRS returns only the header (delay warnings
 * always do). The report comes from the null sender ({@code MAIL FROM:<>}), through James's root
 * processor, with {@code From:} the postmaster. A mail with the null sender never gets one. A
 * failure to send is logged at ERROR: the recipients' LMTP outcome stands.
 */
public final class DsnSender {

    private static final Logger LOGGER = LoggerFactory.getLogger(DsnSender.class);

    private final MailetContext context;
    private final String reportingMta;
    private final Clock clock;

    DsnSender(MailetContext context, String reportingMta, Clock clock) {
        this.context = context;
        this.reportingMta = reportingMta;
        this.clock = clock;
    }

    void send(Mail mail, Optional<DsnParameters> dsn, DeliveryResult result, List<Integer> failed, List<Integer> delayed) {
        if (failed.isEmpty() && delayed.isEmpty()) {
            return;
        }
        if (!mail.hasSender()) {
            LOGGER.info("Mail {} has the null sender: no DSN for {}", mail.getName(), Transcript.neutralise(
                    Stream.concat(failed.stream(), delayed.stream()).map(index -> Bounces.summary(result, index)).collect(Collectors.joining(", "))));
            return;
        }
        Optional<DsnReport> report = report(mail, dsn, result, failed, delayed);
        if (report.isEmpty()) {
            LOGGER.info("Mail {}: no DSN, as the sender's NOTIFY asked", mail.getName());
            return;
        }
        MailAddress sender = mail.getMaybeSender().get();
        try {
            context.sendMail(null, List.of(sender), report.get().message(mail.getMessage()));
            LOGGER.info("Mail {}: DSN sent to {} for {}", mail.getName(), Transcript.neutralise(sender.asString()),
                    Transcript.neutralise(report.get().entries().stream()
                            .map(e -> e.finalRecipient().asString() + " " + e.action().field() + " " + e.status())
                            .collect(Collectors.joining(", "))));
        } catch (MessagingException | RuntimeException e) {
            LOGGER.error("Could not send the DSN of mail {} to {}", mail.getName(), Transcript.neutralise(sender.asString()), e);
        }
    }

    /**
     * RFC 3461 §5.2.2: an LMTP store is final delivery, so the recipients of {@code delivered} whose
     * NOTIFY asks for SUCCESS get one {@code Action: delivered} report, unless the store that
     * delivered them offered DSN ({@code storeReports}): NOTIFY went to it, and it reports itself.
     * Only the header comes back. Nothing for the null sender.
     */
    void sendDelivered(Mail mail, Optional<DsnParameters> dsn, DeliveryResult result, List<Integer> delivered,
                       Predicate<Destination> storeReports) {
        List<MailAddress> recipients = MailCopies.recipients(mail, result);
        List<DsnReport.Entry> entries = delivered.stream()
                .filter(index -> asks(dsn, recipients.get(index), DsnParameters.Notify.SUCCESS))
                .filter(index -> result.verdict(index).server().filter(storeReports).isEmpty())
                .map(index -> entry(dsn, recipients.get(index), result, index, DsnReport.Action.DELIVERED))
                .toList();
        if (entries.isEmpty() || !mail.hasSender()) {
            return;
        }
        Instant now = clock.instant();
        DsnReport report = new DsnReport(reportingMta, MailerDaemon.from(context, reportingMta), mail.getMaybeSender().get(),
                dsn.flatMap(DsnParameters::getEnvIdParameter).map(DsnParameters.EnvId::asString),
                ArrivalDate.of(mail).orElse(now), now, entries, DsnReport.Returned.HEADERS);
        MailAddress sender = mail.getMaybeSender().get();
        try {
            context.sendMail(null, List.of(sender), report.message(mail.getMessage()));
            LOGGER.info("Mail {}: success DSN sent to {} for {}", mail.getName(), Transcript.neutralise(sender.asString()),
                    Transcript.neutralise(entries.stream().map(e -> e.finalRecipient().asString()).collect(Collectors.joining(", "))));
        } catch (MessagingException | RuntimeException e) {
            LOGGER.error("Could not send the success DSN of mail {} to {}", mail.getName(), Transcript.neutralise(sender.asString()), e);
        }
    }

    /** Whether the recipient's NOTIFY names {@code kind} itself (SUCCESS is never implied). */
    private static boolean asks(Optional<DsnParameters> dsn, MailAddress recipient, DsnParameters.Notify kind) {
        return recipientParameters(dsn, recipient).flatMap(DsnParameters.RecipientDsnParameters::getNotifyParameter)
                .filter(set -> set.contains(kind)).isPresent();
    }

    /**
     * The mail's RFC 3461 parameters, as {@link Mail#dsnParameters()} reads them, which first copies
     * every attribute of the mail: read once per attempt, and not at all for a mail that has none
     * of James's DSN attributes (most mail).
     */
    public static Optional<DsnParameters> dsnParameters(Mail mail) {
        boolean[] any = {false};
        DsnParameters.DsnAttributeValues.forEachDsnAttributeName(name -> any[0] |= mail.getAttribute(name).isPresent());
        return any[0] ? mail.dsnParameters() : Optional.empty();
    }

    /** The report for this attempt, empty when NOTIFY leaves every recipient out. */
    Optional<DsnReport> report(Mail mail, Optional<DsnParameters> dsn, DeliveryResult result, List<Integer> failed, List<Integer> delayed) {
        List<MailAddress> recipients = MailCopies.recipients(mail, result);
        List<DsnReport.Entry> entries = new ArrayList<>();
        failed.stream().filter(index -> notifies(dsn, recipients.get(index), DsnParameters.Notify.FAILURE))
                .forEach(index -> entries.add(entry(dsn, recipients.get(index), result, index, DsnReport.Action.FAILED)));
        delayed.stream().filter(index -> notifies(dsn, recipients.get(index), DsnParameters.Notify.DELAY))
                .forEach(index -> entries.add(entry(dsn, recipients.get(index), result, index, DsnReport.Action.DELAYED)));
        if (entries.isEmpty()) {
            return Optional.empty();
        }
        boolean failure = entries.stream().anyMatch(entry -> entry.action() == DsnReport.Action.FAILED);
        boolean headersOnly = !failure || dsn.flatMap(DsnParameters::getRetParameter).filter(DsnParameters.Ret.HDRS::equals).isPresent();
        Instant now = clock.instant();
        return Optional.of(new DsnReport(reportingMta, MailerDaemon.from(context, reportingMta), mail.getMaybeSender().get(),
                dsn.flatMap(DsnParameters::getEnvIdParameter).map(DsnParameters.EnvId::asString),
                ArrivalDate.of(mail).orElse(now), now, entries, headersOnly ? DsnReport.Returned.HEADERS : DsnReport.Returned.FULL));
    }

    static DsnReport.Entry entry(Optional<DsnParameters> dsn, MailAddress recipient, DeliveryResult result, int index, DsnReport.Action action) {
        Verdict verdict = result.verdict(index);
        Optional<Reply> reply = verdict.serverReply();
        Optional<Destination> server = reply.flatMap(r -> verdict.server());
        Optional<MailAddress> original = recipientParameters(dsn, recipient).flatMap(DsnParameters.RecipientDsnParameters::getOrcptParameter);
        String diagnostic = reply.map(r -> "smtp; " + r.code() + " " + String.join(" ", r.lines()))
                .orElse("x-james-lmtp; " + verdict.text());
        String explanation = reply.isPresent()
                ? server.map(Destination::toString).orElse(result.destination(index)) + " said: " + reply.get().code() + " "
                        + String.join(" ", reply.get().lines()) + " (in reply to " + command(verdict.stage()) + ")"
                : verdict.status() + " " + verdict.text();
        return new DsnReport.Entry(recipient, original, action, verdict.status(), server.map(DsnSender::remoteMta), diagnostic, explanation);
    }

    /** As Postfix says it: "in reply to RCPT TO command". */
    private static String command(Stage stage) {
        return switch (stage) {
            case CONNECT, GREETING -> "the initial greeting";
            case MAIL -> "MAIL FROM command";
            case RCPT -> "RCPT TO command";
            case BODY, DOT -> "end of DATA command";
            default -> stage.name() + " command";
        };
    }

    /** {@code dns; host} for a TCP store, {@code x-unix; /path} for a UNIX socket. */
    public static String remoteMta(Destination server) {
        if (server instanceof Destination.Inet inet) {
            return "dns; " + inet.host();
        }
        return "x-unix; " + ((Destination.Unix) server).path();
    }

    /** RFC 3461 §4.1: without NOTIFY, failures are reported, and delays at the MTA's choice (here: when configured). */
    private static boolean notifies(Optional<DsnParameters> dsn, MailAddress recipient, DsnParameters.Notify kind) {
        Optional<EnumSet<DsnParameters.Notify>> notify = recipientParameters(dsn, recipient)
                .flatMap(DsnParameters.RecipientDsnParameters::getNotifyParameter)
                .filter(set -> !set.isEmpty());
        return notify.map(set -> set.contains(kind)).orElse(true);
    }

    private static Optional<DsnParameters.RecipientDsnParameters> recipientParameters(Optional<DsnParameters> dsn, MailAddress recipient) {
        return dsn.map(DsnParameters::getRcptParameters).map(parameters -> parameters.get(recipient));
    }
}
