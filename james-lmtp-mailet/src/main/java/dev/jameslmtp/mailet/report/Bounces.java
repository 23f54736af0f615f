package dev.jameslmtp.mailet.report;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.DsnParameters;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Verdict;
import dev.jameslmtp.client.wire.Reply;
import dev.jameslmtp.client.wire.Transcript;
import dev.jameslmtp.conf.BounceMode;
import dev.jameslmtp.conf.LmtpDeliveryConfiguration;
import dev.jameslmtp.mailet.attempt.MailCopies;

/**
 * Sends bounced recipients on, as {@code bounceMode} says.
 *
 * <p>{@code rfc3464}: {@link DsnSender} writes the sender one RFC 3464 DSN for the attempt, listing
 * every failed recipient, and every delayed one when the attempt warns ({@link DelayWarnings}).
 *
 * <p>{@code james}: compatible with James's RemoteDelivery {@code Bouncer}. Recipients are
 * grouped by their verdict (permanence, reply code and {@code delivery-error} text); each group
 * becomes its own copy of the mail, holding only that group's recipients, so that a
 * {@code DSNBounce} in the bounce processor reports each recipient with its own reply (James
 * 3.8.1's DSNBounce copies {@code delivery-error} whole into {@code Status:}). On each copy:
 * <ul>
 *   <li>{@code delivery-error} (String): {@link #deliveryError}, e.g.
 *   {@code "550 5.1.1 <bob@example.com> User doesn't exist"}; DSNBounce writes it as the
 *   recipient's {@code Status:} and, since it starts with a reply code, as
 *   {@code Diagnostic-Code: smtp; ...};</li>
 *   <li>{@code delivery-error-code} (Integer), only when the server replied: for
 *   {@code RemoteDeliveryFailedWithSMTPCode};</li>
 *   <li>{@code is-delivery-permanent-error} (Boolean): true for a permanent failure, false for
 *   retries exhausted, for {@code IsRemoteDeliveryPermanentError} / {@code IsRemoteDeliveryTemporaryError}.</li>
 * </ul>
 * Its {@code lastUpdated} is the time of the attempt (DSNBounce's {@code Last-Attempt-Date}).
 * The copy goes to {@code bounceProcessor} ({@code MailetContext.sendMail(mail, state)}), or,
 * without one, to {@code MailetContext.bounce(mail, explanation)}. A mail with the null sender is
 * never bounced: that is logged instead. A failure to send one bounce is logged at ERROR and does
 * not stop the others (the recipients stay counted as bounced: the LMTP outcome is final).
 */
public final class Bounces {

    public static final AttributeName DELIVERY_ERROR = AttributeName.of("delivery-error");
    static final AttributeName DELIVERY_ERROR_CODE = AttributeName.of("delivery-error-code");
    public static final AttributeName IS_DELIVERY_PERMANENT_ERROR = AttributeName.of("is-delivery-permanent-error");

    private static final Logger LOGGER = LoggerFactory.getLogger(Bounces.class);

    private final MailetContext context;
    private final Optional<String> bounceProcessor;
    private final Clock clock;
    private final BounceMode mode;
    private final DsnSender dsn;
    private final DelayWarnings delayWarnings;

    public Bounces(MailetContext context, Optional<String> bounceProcessor, Clock clock, BounceMode mode, String reportingMta,
            Optional<Duration> delayWarningTime) {
        this.context = context;
        this.bounceProcessor = bounceProcessor;
        this.clock = clock;
        this.mode = mode;
        this.dsn = new DsnSender(context, reportingMta, clock);
        this.delayWarnings = new DelayWarnings(delayWarningTime, clock);
    }

    public static Bounces of(MailetContext context, LmtpDeliveryConfiguration configuration, Clock clock) {
        return new Bounces(context, configuration.bounceProcessor(), clock, configuration.reporting().bounceMode(),
                configuration.lhloName(), configuration.reporting().delayWarningTime());
    }

    /**
     * Before deferred recipients go back on the queue: whether this attempt warns the sender about
     * them (when {@code anyDeferred}); if so the mail is marked (see {@link DelayWarnings}) and the
     * deferred positions must be passed to {@link #send} as delayed.
     */
    public boolean markDelayWarning(Mail mail, boolean anyDeferred) {
        return delayWarnings.markIfDue(mail, anyDeferred);
    }

    /**
     * Success notifications (in either bounce mode: James has none of its own): the recipients at
     * {@code delivered} whose NOTIFY asks for SUCCESS ({@code parameters}, the mail's, read once per
     * attempt: {@link DsnSender#dsnParameters}), unless the store that took them reports itself.
     */
    public void sendDelivered(Mail mail, Optional<DsnParameters> parameters, DeliveryResult result, List<Integer> delivered,
                              Predicate<Destination> storeReports) {
        if (!delivered.isEmpty() && parameters.isPresent()) {
            dsn.sendDelivered(mail, parameters, result, delivered, storeReports);
        }
    }

    /**
     * Reports the recipients of {@code result} at {@code bounced}, and at {@code delayed} (only in
     * rfc3464 mode; empty unless this attempt warns), with the mail's DSN {@code parameters} read once
     * for the attempt ({@link DsnSender#dsnParameters}), telling {@code reported} each group of
     * bounced positions once its report was handed to James (or given up: a failure is logged,
     * not retried).
     */
    public void send(Mail mail, Optional<DsnParameters> parameters, DeliveryResult result, List<Integer> bounced, List<Integer> delayed,
                     Consumer<List<Integer>> reported) {
        if (mode == BounceMode.RFC3464) {
            dsn.send(mail, parameters, result, bounced, delayed);
            reported.accept(bounced);
            return;
        }
        if (bounced.isEmpty()) {
            return;
        }
        if (!mail.hasSender()) {
            LOGGER.info("Mail {} has the null sender: no bounce for {}", mail.getName(),
                    Transcript.neutralise(bounced.stream().map(index -> summary(result, index)).collect(Collectors.joining(", "))));
            reported.accept(bounced);
            return;
        }
        List<MailAddress> recipients = MailCopies.recipients(mail, result);
        for (List<Integer> group : groups(result, bounced)) {
            sendGroup(mail, result, group.stream().map(recipients::get).distinct().toList(), group);
            reported.accept(group);
        }
    }

    private void sendGroup(Mail mail, DeliveryResult result, List<MailAddress> recipients, List<Integer> group) {
        Verdict first = result.verdict(group.get(0));
        try {
            MailCopies.send(mail, recipients, copy -> {
                copy.setLastUpdated(Date.from(clock.instant()));
                copy.setAttribute(new Attribute(DELIVERY_ERROR, AttributeValue.of(deliveryError(first))));
                copy.setAttribute(new Attribute(IS_DELIVERY_PERMANENT_ERROR, AttributeValue.of(first.permanent())));
                if (first.serverReply().isPresent()) {
                    copy.setAttribute(new Attribute(DELIVERY_ERROR_CODE, AttributeValue.of(first.serverReply().get().code())));
                } else {
                    copy.removeAttribute(DELIVERY_ERROR_CODE);
                }
                if (bounceProcessor.isPresent()) {
                    context.sendMail(copy, bounceProcessor.get());
                } else {
                    context.bounce(copy, explanation(result, group));
                }
            });
        } catch (Exception e) {
            LOGGER.error("Could not bounce mail {} for {}: {}", mail.getName(), Transcript.neutralise(recipients.toString()),
                    Transcript.neutralise(deliveryError(first)), e);
        }
    }

    /** The bounced positions grouped by verdict: permanence, reply code and {@code delivery-error} text. */
    private static List<List<Integer>> groups(DeliveryResult result, List<Integer> bounced) {
        Map<List<Object>, List<Integer>> groups = new LinkedHashMap<>();
        for (int index : bounced) {
            Verdict verdict = result.verdict(index);
            List<Object> key = List.of(verdict.permanent(), verdict.serverReply().map(Reply::code).orElse(0), deliveryError(verdict));
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(index);
        }
        return List.copyOf(groups.values());
    }

    /**
     * James's {@code delivery-error} text: {@code "550 5.1.1 User doesn't exist: bob"} for a server
     * reply (DSNBounce then writes {@code Diagnostic-Code: smtp; 550 5.1.1 ...}), or
     * {@code "4.4.1 connect to inet:[127.0.0.1]:24: Connection refused"} for a local verdict.
     */
    public static String deliveryError(Verdict verdict) {
        return codeAndStatus(verdict) + (verdict.text().isEmpty() ? "" : " " + verdict.text());
    }

    /** For a log line (the attempt's, the null sender's): {@code "bob@example.com 550 5.1.1"}. */
    public static String summary(DeliveryResult result, int index) {
        return result.recipient(index) + " " + codeAndStatus(result.verdict(index));
    }

    /** {@code "550 5.1.1"}, or the status alone when no server reply decided the verdict. */
    private static String codeAndStatus(Verdict verdict) {
        return verdict.serverReply().map(reply -> reply.code() + " ").orElse("") + verdict.status();
    }

    /** The text for {@code MailetContext.bounce}, one line per recipient with its reply. */
    public static String explanation(DeliveryResult result, List<Integer> group) {
        StringBuilder text = new StringBuilder();
        boolean permanent = result.verdict(group.get(0)).permanent();
        text.append("The message could not be delivered to the following recipient(s) over LMTP")
                .append(permanent ? ". This is a permanent error.\n\n" : ": the delivery was retried until giving up.\n\n");
        for (int index : group) {
            text.append(result.recipient(index)).append(": ").append(deliveryError(result.verdict(index)))
                    .append(" (").append(result.destination(index)).append(")\n");
        }
        return text.toString();
    }
}
