package dev.jameslmtp.mailet.attempt;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.api.TimeMetric;
import org.apache.mailet.DsnParameters;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.client.Content;
import dev.jameslmtp.client.DestinationList;
import dev.jameslmtp.client.LmtpClient;
import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.outcome.Trouble;
import dev.jameslmtp.client.outcome.Verdict;
import dev.jameslmtp.client.pool.ConnectionPool;
import dev.jameslmtp.client.pool.FailedServers;
import dev.jameslmtp.client.pool.FailoverDelivery;
import dev.jameslmtp.client.pool.PooledDelivery;
import dev.jameslmtp.conf.LmtpDeliveryConfiguration;
import dev.jameslmtp.conf.routing.Routing;
import dev.jameslmtp.mailet.journal.AttemptMarks;
import dev.jameslmtp.mailet.queue.Route;
import dev.jameslmtp.mailet.queue.StoreFeedback;
import dev.jameslmtp.mailet.report.DsnSender;
import dev.jameslmtp.mailet.report.ProtocolNotices;

/**
 * One attempt on one mail taken off the queue: route each recipient to its destination, deliver
 * over LMTP (see {@link DestinationExchanges}, {@link LmtpExchange}), decide each recipient's {@link Fate} ({@link OutcomeMapper}),
 * check that every recipient has exactly one (a {@link DeliveryResult} by position), carry the outcome out
 * ({@link OutcomeDispatcher}), count it and log one line. Thread-safe: it keeps no state between
 * attempts.
 *
 * @see #run(Mail)
 */
public final class DeliveryAttempt {

    public static final String NO_DESTINATION = "(no destination)";
    private static final Logger LOGGER = LoggerFactory.getLogger(DeliveryAttempt.class);

    private final LmtpDeliveryConfiguration configuration;
    private final OutcomeMapper mapper;
    private final OutcomeDispatcher dispatcher;
    private final DeliveryMetrics metrics;
    private final OpenSessions sessions = new OpenSessions();
    private final DestinationExchanges exchanges;
    private final FailoverDelivery delivery;
    private final Map<String, Optional<DestinationList>> parsedRoutes = new ConcurrentHashMap<>();

    public DeliveryAttempt(LmtpDeliveryConfiguration configuration, LmtpClient client, OutcomeDispatcher dispatcher,
                    DeliveryMetrics metrics, ConnectionPool pool, ProtocolNotices notices) {
        this.configuration = configuration;
        this.mapper = new OutcomeMapper(configuration.softBounce(), configuration.delaySchedule());
        this.dispatcher = dispatcher;
        this.metrics = metrics;
        this.delivery = new FailoverDelivery(new PooledDelivery(pool, configuration.connectionCache(), metrics::transaction, sessions),
                new FailedServers(configuration.failureSkipTime(), System::nanoTime));
        this.exchanges = new DestinationExchanges(configuration, client, metrics, notices, delivery, sessions);
    }

    /** Closes every LMTP session open now and refuses new ones: shutdown, once the grace is over. */
    public int abortSessions() {
        return sessions.abortAll();
    }

    /**
     * Runs the attempt. Afterwards the mail holds only its deferred recipients, which are also back
     * on the queue (or, if the queue refused them, in James's error processor).
     *
     * @throws UnstoredRecipientsException when deferred recipients could be stored neither on the
     *                                     queue nor in the error processor; the rest was carried out
     */
    public DeliveryResult run(Mail mail) throws UnstoredRecipientsException {
        Function<MailAddress, Optional<DestinationList>> router = router(mail);
        try (AttemptMdc mdc = mdc(mail, router)) {
            return run(mail, router, AttemptMarks.NONE, StoreFeedback.Listener.NONE);
        }
    }

    /**
     * The destination of each recipient of {@code mail} for one attempt, read once: the route fixed
     * on the mail at enqueue (empty when unreadable), else, for a mail whose domain had no
     * destination then, the routing as it is now (Postfix's qmgr resolves such mail again at each
     * retry).
     */
    public Function<MailAddress, Optional<DestinationList>> router(Mail mail) {
        if (Route.text(mail).isPresent()) {
            Optional<DestinationList> route = route(mail);
            return recipient -> route;
        }
        Routing routing = configuration.routing().now();
        return recipient -> routing.destinationFor(recipient.getDomain().asString());
    }

    /**
     * The one MDC scope of an attempt: James's keys of the mail, the queue, and the destinations
     * of its recipients (its fixed route as written, else each recipient's).
     */
    public AttemptMdc mdc(Mail mail, Function<MailAddress, Optional<DestinationList>> router) {
        List<String> destinations = Route.text(mail).map(List::of).orElseGet(() -> mail.getRecipients().stream()
                .map(router).map(route -> route.map(DestinationList::toString).orElse(NO_DESTINATION)).distinct().toList());
        return AttemptMdc.open(mail, configuration.outgoing(), destinations);
    }

    /**
     * Runs the attempt, inside the caller's {@link #mdc} scope, with the destinations of
     * {@link #router}: writes each recipient's fate in {@code marks} as soon as it is known
     * (delivered when its 2xx after the dot is read, requeued once it is back on the queue or in
     * the error processor, bounced once its bounce was sent), and tells {@code feedback} what each
     * destination's exchange says of its store, once it ends. The result holds, by position, the
     * verdict James acted on for each recipient of the mail ({@link OutcomeMapper}).
     */
    public DeliveryResult run(Mail mail, Function<MailAddress, Optional<DestinationList>> router, AttemptMarks marks,
                              StoreFeedback.Listener feedback) throws UnstoredRecipientsException {
        TimeMetric timer = metrics.startAttempt();
        try {
            List<MailAddress> recipients = List.copyOf(mail.getRecipients());
            Optional<DsnParameters> dsn = DsnSender.dsnParameters(mail);
            DeliveryResult result = result(mail, dsn, recipients, recipients.stream().map(router).toList(), marks, feedback);
            metrics.count(result);
            AttemptLog.log(mail, result, configuration.delaySchedule());
            dispatcher.dispatch(mail, dsn, result, marks, delivery::serverReportsDsn);
            return result;
        } finally {
            timer.stopAndPublish();
        }
    }

    /**
     * One verdict per recipient of the mail, by position, as James acts on it; the check of
     * promise 1 (Postfix's {@code smtp_rcpt_cleanup}): a recipient decided twice, or not at all,
     * throws {@link IllegalStateException}.
     */
    private DeliveryResult result(Mail mail, Optional<DsnParameters> dsn, List<MailAddress> recipients, List<Optional<DestinationList>> routes, AttemptMarks marks,
                                  StoreFeedback.Listener feedback) {
        Verdict[] verdicts = new Verdict[recipients.size()];
        List<String> destinations = new ArrayList<>(recipients.size());
        Optional<Verdict> senderProblem = senderProblem(mail);
        Map<DestinationList, List<LmtpExchange.Numbered>> routed = new LinkedHashMap<>();
        for (int i = 0; i < recipients.size(); i++) {
            MailAddress recipient = recipients.get(i);
            Optional<DestinationList> destination = routes.get(i);
            destinations.add(destination.map(DestinationList::toString).orElse(NO_DESTINATION));
            if (destination.isEmpty()) {
                decide(mail.getName(), verdicts, i, Route.text(mail).isPresent()
                        ? Trouble.badRoute(Route.text(mail).get())
                        : Trouble.noRoute(recipient.getDomain().asString()));
            } else if (senderProblem.isPresent()) {
                decide(mail.getName(), verdicts, i, senderProblem.get());
            } else {
                try {
                    routed.computeIfAbsent(destination.get(), d -> new ArrayList<>())
                            .add(new LmtpExchange.Numbered(i, Envelopes.recipient(dsn, recipient)));
                } catch (IllegalArgumentException e) {
                    decide(mail.getName(), verdicts, i, Trouble.badRecipient(e.getMessage()));
                }
            }
        }
        if (!routed.isEmpty()) {
            Content content = new MessageContent(mail);
            String sender = Envelopes.sender(mail);
            routed.forEach((destination, numbered) -> {
                Map<Integer, Verdict> exchanged = exchanges.deliver(mail, destination, sender, numbered, Envelopes.ret(dsn),
                        Envelopes.envid(dsn), content, marks);
                exchanged.forEach((index, verdict) -> decide(mail.getName(), verdicts, index, verdict));
                if (!sessions.aborted()) { // sessions closed by a shutdown say nothing of the store
                    StoreFeedback.of(exchanged.values()).ifPresent(told -> feedback.told(destination.toString(), told));
                }
            });
        }
        List<Verdict> acted = new ArrayList<>(recipients.size());
        for (int i = 0; i < verdicts.length; i++) {
            acted.add(mapper.map(decided(mail.getName(), verdicts, i, recipients.get(i)), RetryState.retriesOf(mail, recipients.get(i))));
        }
        return new DeliveryResult(recipients.stream().map(MailAddress::asString).toList(), destinations, acted);
    }

    /** Records the verdict of the recipient at {@code index}; a second one for it throws. */
    static void decide(String mailName, Verdict[] verdicts, int index, Verdict verdict) {
        if (index < 0 || index >= verdicts.length) {
            throw new IllegalStateException("mail " + mailName + ": verdict for unknown recipient #" + index);
        }
        if (verdicts[index] != null) {
            throw new IllegalStateException("mail " + mailName + ": recipient #" + index + " has two fates");
        }
        verdicts[index] = verdict;
    }

    /** The verdict recorded for the recipient at {@code index}; none throws. */
    static Verdict decided(String mailName, Verdict[] verdicts, int index, MailAddress recipient) {
        if (verdicts[index] == null) {
            throw new IllegalStateException("mail " + mailName + ": recipient #" + index + " " + recipient + " has no fate");
        }
        return verdicts[index];
    }

    /** The route fixed on the mail by the mailet that accepted it; empty when absent or unreadable. */
    private Optional<DestinationList> route(Mail mail) {
        Optional<DestinationList> route = Route.text(mail).flatMap(this::parsedRoute);
        route.filter(destination -> !configuration.routing().destinations().contains(destination))
                .ifPresent(destination -> LOGGER.warn("Mail {} was routed to {} when it was accepted, which is not one of"
                        + " this mailet's destinations {}; delivering it there", mail.getName(), destination,
                        configuration.routing().destinations()));
        return route;
    }

    /**
     * A route as written on a mail, parsed once: every attempt reads one, and a route is one of the
     * few destinations this mailet's intake wrote (the cache is emptied should it ever hold 1,000).
     */
    private Optional<DestinationList> parsedRoute(String text) {
        Optional<DestinationList> parsed = parsedRoutes.get(text);
        if (parsed == null) {
            try {
                parsed = Optional.of(DestinationList.parse(text));
            } catch (IllegalArgumentException e) {
                parsed = Optional.empty();
            }
            if (parsedRoutes.size() >= 1_000) {
                parsedRoutes.clear();
            }
            parsedRoutes.put(text, parsed);
        }
        return parsed;
    }

    private static Optional<Verdict> senderProblem(Mail mail) {
        try {
            Envelopes.sender(mail);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(Trouble.badSender(e.getMessage()));
        }
    }
}
