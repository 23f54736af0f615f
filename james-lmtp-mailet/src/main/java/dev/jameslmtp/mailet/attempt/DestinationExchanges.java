package dev.jameslmtp.mailet.attempt;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.james.metrics.api.TimeMetric;
import org.apache.mailet.Mail;

import dev.jameslmtp.client.Content;
import dev.jameslmtp.client.DestinationList;
import dev.jameslmtp.client.LmtpClient;
import dev.jameslmtp.client.Origin;
import dev.jameslmtp.client.outcome.Verdict;
import dev.jameslmtp.client.pool.FailoverDelivery;
import dev.jameslmtp.conf.LmtpDeliveryConfiguration;
import dev.jameslmtp.mailet.journal.AttemptMarks;
import dev.jameslmtp.mailet.report.ProtocolNotices;

/**
 * One attempt's {@link LmtpExchange} with one destination, with what the operator sees of it: the
 * {@link SessionTranscript} (log level per {@code debugPeerList}, copy for
 * {@code notifyClasses=protocol}), the destination in the MDC ({@value AttemptMdc#DESTINATION}),
 * the timer {@code lmtpDeliveryAttempt.<destination>} and, after a protocol error, the
 * postmaster's notice ({@link ProtocolNotices}).
 */
final class DestinationExchanges {

    private final LmtpDeliveryConfiguration configuration;
    private final LmtpExchange exchange;
    private final DeliveryMetrics metrics;
    private final ProtocolNotices notices;

    DestinationExchanges(LmtpDeliveryConfiguration configuration, LmtpClient client, DeliveryMetrics metrics,
                         ProtocolNotices notices, FailoverDelivery delivery, OpenSessions sessions) {
        this.configuration = configuration;
        this.exchange = new LmtpExchange(client, configuration.recipientLimit(), delivery, sessions);
        this.metrics = metrics;
        this.notices = notices;
    }

    Map<Integer, Verdict> deliver(Mail mail, DestinationList destination, String sender, List<LmtpExchange.Numbered> recipients,
                                  Optional<String> ret, Optional<String> envid, Content content, AttemptMarks marks) {
        try (AttemptMdc mdc = AttemptMdc.destination(destination.toString())) {
            SessionTranscript transcript = SessionTranscript.open(configuration, mail.getName(), destination);
            TimeMetric timer = metrics.startExchange(destination.toString());
            Map<Integer, Verdict> verdicts;
            try {
                Optional<Origin> origin = configuration.xclient().covers(destination) ? Envelopes.origin(mail) : Optional.empty();
                verdicts = exchange.deliver(transcript.transcript(), destination, sender, recipients, ret, envid, origin, content, marks);
            } finally {
                timer.stopAndPublish();
            }
            notices.sendIfProtocolError(mail.getName(), destination, verdicts.values(), transcript.keptLines());
            return verdicts;
        }
    }
}
