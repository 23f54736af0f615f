package dev.jameslmtp.mailet;

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
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.wire.Transcript;
import dev.jameslmtp.conf.BounceMode;
import dev.jameslmtp.conf.LmtpDeliveryConfiguration;

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
 *   <li>{@code delivery-error} (String): {@link RecipientFate#deliveryError()}, e.g.
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
final class Bounces {

    static final AttributeName DELIVERY_ERROR = AttributeName.of("delivery-error");
    static final AttributeName DELIVERY_ERROR_CODE = AttributeName.of("delivery-error-code");
    static final AttributeName IS_DELIVERY_PERMANENT_ERROR = AttributeName.of("is-delivery-permanent-error");

    private static final Logger LOGGER = LoggerFactory.getLogger(Bounces.class);

    private final MailetContext context;
    private final Optional<String> bounceProcessor;
    private final Clock clock;
    private final BounceMode mode;
    private final DsnSender dsn;
    private final DelayWarnings delayWarnings;

    Bounces(MailetContext context, Optional<String> bounceProcessor, Clock clock, BounceMode mode, String reportingMta,
            Optional<Duration> delayWarningTime) {
        this.context = context;
        this.bounceProcessor = bounceProcessor;
        this.clock = clock;
        this.mode = mode;
        this.dsn = new DsnSender(context, reportingMta, clock);
        this.delayWarnings = new DelayWarnings(delayWarningTime, clock);
    }

    static Bounces of(MailetContext context, LmtpDeliveryConfiguration configuration, Clock clock) {
        return new Bounces(context, configuration.bounceProcessor(), clock, configuration.reporting().bounceMode(),
                configuration.lhloName(), configuration.reporting().delayWarningTime());
    }

    /**
     * Before deferred recipients go back on the queue: whether this attempt warns the sender about
     * them; if so the mail is marked (see {@link DelayWarnings}) and {@code deferred} must be
     * passed to {@link #send(Mail, List, List)}.
     */
    boolean markDelayWarning(Mail mail, List<RecipientFate> deferred) {
        return delayWarnings.markIfDue(mail, deferred);
    }

    /**
     * Success notifications (in either bounce mode: James has none of its own): the recipients of
     * {@code delivered} whose NOTIFY asks for SUCCESS, unless the store that took them reports itself.
     */
    void sendDelivered(Mail mail, List<RecipientFate> delivered, Predicate<Destination> storeReports) {
        if (!delivered.isEmpty()) {
            dsn.sendDelivered(mail, delivered, storeReports);
        }
    }

    void send(Mail mail, List<RecipientFate> bounced) {
        send(mail, bounced, List.of());
    }

    /** Reports {@code bounced}, and {@code delayed} (only in rfc3464 mode; empty unless this attempt warns). */
    void send(Mail mail, List<RecipientFate> bounced, List<RecipientFate> delayed) {
        send(mail, bounced, delayed, group -> { });
    }

    /**
     * As {@link #send(Mail, List, List)}, telling {@code reported} each group of bounced recipients
     * once its report was handed to James (or given up: a failure is logged, not retried).
     */
    void send(Mail mail, List<RecipientFate> bounced, List<RecipientFate> delayed, Consumer<List<RecipientFate>> reported) {
        if (mode == BounceMode.RFC3464) {
            dsn.send(mail, bounced, delayed);
            reported.accept(bounced);
            return;
        }
        if (bounced.isEmpty()) {
            return;
        }
        if (!mail.hasSender()) {
            LOGGER.info("Mail {} has the null sender: no bounce for {}", mail.getName(),
                    Transcript.neutralise(bounced.stream().map(RecipientFate::summary).collect(Collectors.joining(", "))));
            reported.accept(bounced);
            return;
        }
        for (List<RecipientFate> group : groups(bounced)) {
            sendGroup(mail, group);
            reported.accept(group);
        }
    }

    private void sendGroup(Mail mail, List<RecipientFate> group) {
        RecipientFate first = group.get(0);
        List<MailAddress> recipients = group.stream().map(RecipientFate::recipient).distinct().toList();
        try {
            MailCopies.send(mail, recipients, copy -> {
                copy.setLastUpdated(Date.from(clock.instant()));
                copy.setAttribute(new Attribute(DELIVERY_ERROR, AttributeValue.of(first.deliveryError())));
                copy.setAttribute(new Attribute(IS_DELIVERY_PERMANENT_ERROR, AttributeValue.of(first.permanent())));
                if (first.code().isPresent()) {
                    copy.setAttribute(new Attribute(DELIVERY_ERROR_CODE, AttributeValue.of(first.code().get())));
                } else {
                    copy.removeAttribute(DELIVERY_ERROR_CODE);
                }
                if (bounceProcessor.isPresent()) {
                    context.sendMail(copy, bounceProcessor.get());
                } else {
                    context.bounce(copy, explanation(group));
                }
            });
        } catch (Exception e) {
            LOGGER.error("Could not bounce mail {} for {}: {}", mail.getName(), Transcript.neutralise(recipients.toString()),
                    Transcript.neutralise(first.deliveryError()), e);
        }
    }

    private static List<List<RecipientFate>> groups(List<RecipientFate> bounced) {
        Map<List<Object>, List<RecipientFate>> groups = new LinkedHashMap<>();
        for (RecipientFate fate : bounced) {
            List<Object> key = List.of(fate.permanent(), fate.code().orElse(0), fate.deliveryError());
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(fate);
        }
        return List.copyOf(groups.values());
    }

    /** The text for {@code MailetContext.bounce}, one line per recipient with its reply. */
    static String explanation(List<RecipientFate> group) {
        StringBuilder text = new StringBuilder();
        boolean permanent = group.get(0).permanent();
        text.append("The message could not be delivered to the following recipient(s) over LMTP")
                .append(permanent ? ". This is a permanent error.\n\n" : ": the delivery was retried until giving up.\n\n");
        for (RecipientFate fate : group) {
            text.append(fate.recipient().asString()).append(": ").append(fate.deliveryError())
                    .append(" (").append(fate.destination()).append(")\n");
        }
        return text.toString();
    }
}
