package dev.jameslmtp.smtp;

import java.time.Clock;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import javax.inject.Inject;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.handler.ProtocolHandler;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.RcptHook;
import org.apache.james.rrt.api.RecipientRewriteTable;
import org.apache.james.user.api.UsersRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.client.DestinationList;
import dev.jameslmtp.client.LmtpClient;
import dev.jameslmtp.client.RecipientProbe;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.client.outcome.Trouble;
import dev.jameslmtp.client.outcome.Verdict;
import dev.jameslmtp.client.wire.Transcript;
import dev.jameslmtp.conf.ConfigurationError;
import dev.jameslmtp.conf.DurationSyntax;
import dev.jameslmtp.conf.ParameterValues;

/**
 * An SMTP {@code RCPT TO} hook for James's {@code smtpserver.xml} that asks the mail store whether
 * a recipient exists before accepting it: Postfix's {@code reject_unverified_recipient}, for
 * domains whose users live only in the store (Dovecot, Cyrus...), not in James. It replaces
 * James's {@code ValidRcptHandler}, which would refuse every such user.
 *
 * <p>For a recipient whose domain is one of James's domains and which the configured routing
 * ({@code destination} or {@code transportMap}, the same syntax as {@code LmtpDelivery}'s) sends
 * to a store:
 * <ul>
 *   <li>an address a probe cannot send (a control character, an angle bracket, over 256
 *   characters: not RFC 5321 syntax): {@code 501 5.1.3 Bad recipient address syntax};</li>
 *   <li>known to James itself (a James user, or an alias/forward/error in James's recipient
 *   rewrite table): declined, James's chain decides, as with {@code ValidRcptHandler};</li>
 *   <li>otherwise it is answered from what is known now, as Postfix's verify(8) answers smtpd:
 *   the remembered answer for the address ({@link VerificationCache}, keyed by
 *   {@link RecipientKey}); else the failure of its store if the store failed within
 *   {@code temporaryExpireTime} ({@link FailedStores}); else a probe ({@link RecipientProbe}:
 *   LHLO, {@code MAIL FROM:<>}, {@code RCPT TO}, RSET, QUIT) is started on a probe thread
 *   ({@link Probes}) and awaited for at most {@code verifyBudget}; if it has not ended by then,
 *   or a probe for the address already runs, {@code 450 4.1.1 ... address verification in
 *   progress}, and the probe's answer is remembered for the client's next attempt. Answers are
 *   mapped by {@link RcptAnswers}: accepted → declined (the rest of the RCPT hooks run and James
 *   accepts), refused → the store's 5xx and status, any other trouble → 4xx (never accept and
 *   bounce later).</li>
 * </ul>
 * Recipients of other domains, and of James domains the transport map does not route, are
 * declined without a probe. Metrics: {@link VerificationMetrics}.
 *
 * <h2>Parameters</h2>
 * Child elements of the {@code <handler>} element, listed in {@link HookParameter} and described
 * in {@code docs/configuration.md}, plus the mailet's TLS and SASL parameters ({@code tls*},
 * {@code sasl*}, {@code requireAuth}) with the same meaning, so that probes reach the store
 * exactly as deliveries do. Bad configuration makes James fail to start with the parameter
 * named.
 *
 * <h2>Known limits</h2>
 * {@code doRcpt} runs on James's SMTP network thread (shared by many sessions): it holds that
 * thread for at most {@code verifyBudget} (at most 2 seconds, 200 ms by default), and not at all
 * once a probe to the same store has outlived the budget, while a probe for the address runs, or
 * when the probe pool ({@code probeThreads}) and its queue ({@code probeQueueSize}) are full
 * ({@code 451 4.3.0}, no probe). A probe ends after {@code probeTimeout} in all (its socket is
 * closed), however many replies a slow store spreads over its {@code replyTimeout}s, and does not
 * wait for QUIT's reply. A client that meets an unknown address therefore gets a 4xx first when
 * the store answers slower than the budget, and the right answer on its retry. The host name of
 * an {@code inet:} destination is resolved by the JDK, outside the probe's total.
 * {@code postmaster@} is probed like any address: the store must know it (RFC 5321 §4.5.1
 * requires accepting it). {@link #destroy()} stops the probe threads and ends the probes in
 * progress.
 */
public class VerifyRecipientInStore implements RcptHook, ProtocolHandler {

    private static final Logger LOGGER = LoggerFactory.getLogger(VerifyRecipientInStore.class);
    private static final Logger TRANSCRIPT_LOGGER = LoggerFactory.getLogger("dev.jameslmtp.smtp.transcript");

    private final JamesRecipients james;
    private final VerificationMetrics metrics;
    private final Clock clock;
    private final Supplier<String> defaultLhloName;
    private VerifierConfiguration configuration;
    private RecipientProbe probe;
    private VerificationCache cache;
    private FailedStores failedStores;
    private Probes probes;

    @Inject
    public VerifyRecipientInStore(DomainList domains, UsersRepository users, RecipientRewriteTable rewrites,
                                  MetricFactory metricFactory) {
        this(JamesRecipients.of(domains, users, rewrites), metricFactory, Clock.systemUTC(),
                () -> ParameterValues.defaultLhloName(() -> domains.getDefaultDomain().asString()));
    }

    VerifyRecipientInStore(JamesRecipients james, MetricFactory metricFactory, Clock clock, Supplier<String> defaultLhloName) {
        this.james = james;
        this.metrics = new VerificationMetrics(metricFactory);
        this.clock = clock;
        this.defaultLhloName = defaultLhloName;
    }

    @Override
    public void init(Configuration config) throws ConfigurationException {
        Map<String, String> parameters = new HashMap<>();
        try {
            for (Iterator<String> keys = config.getKeys(); keys.hasNext(); ) {
                String key = keys.next();
                if (key.startsWith("[@")) {
                    continue;
                }
                String[] values = config.getStringArray(key);
                if (values.length != 1) {
                    throw ConfigurationError.conflict("parameter '" + key + "' is given " + values.length + " times; give it once");
                }
                parameters.put(key, values[0]);
            }
            configure(VerifierConfiguration.parse(parameters, defaultLhloName));
        } catch (ConfigurationError e) {
            throw new ConfigurationException(getClass().getSimpleName() + " in smtpserver.xml: " + e.getMessage(), e);
        }
    }

    void configure(VerifierConfiguration configuration) {
        destroy();
        this.configuration = configuration;
        Transcript transcript = configuration.transcript()
                ? Transcript.to(TRANSCRIPT_LOGGER::info)
                : TRANSCRIPT_LOGGER.isDebugEnabled() ? Transcript.to(TRANSCRIPT_LOGGER::debug) : Transcript.NONE;
        VerifierConfiguration.Probing probing = configuration.probing();
        this.probes = new Probes(probing.probeThreads(), probing.probeQueueSize(), probing.verifyBudget());
        this.probe = new RecipientProbe(LmtpClient.builder()
                .lhloName(configuration.lhloName())
                .timeouts(configuration.timeouts())
                .tls(configuration.security().tls())
                .sasl(configuration.security().sasl())
                .transcript(transcript)
                .build(), probing.probeTimeout(), probes.timer());
        this.cache = new VerificationCache(clock, configuration.positiveExpireTime(), configuration.negativeExpireTime(),
                configuration.temporaryExpireTime(), configuration.cacheSize());
        this.failedStores = new FailedStores(clock, configuration.temporaryExpireTime());
        LOGGER.info("Verifying recipients of James's domains with the store: {} (SMTP threads wait at most {} for a probe;"
                        + " {} probe threads, queue {}, {} per probe)", configuration.routing().destinations(),
                DurationSyntax.format(probing.verifyBudget()), probing.probeThreads(), probing.probeQueueSize(),
                DurationSyntax.format(probing.probeTimeout()));
    }

    /** Stops the probe threads and ends the probes in progress; James calls it when the SMTP server stops. */
    @Override
    public void destroy() {
        if (probe != null) {
            probe.abortAll();
        }
        if (probes != null) {
            probes.close();
        }
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress rcpt) {
        if (probes == null) {
            throw new IllegalStateException("VerifyRecipientInStore is not initialised");
        }
        DestinationList destination;
        try {
            if (!james.isLocalDomain(rcpt.getDomain())) {
                return HookResult.DECLINED;
            }
            Optional<DestinationList> routed = configuration.routing().destinationFor(rcpt.getDomain().asString());
            if (routed.isEmpty()) {
                return HookResult.DECLINED;
            }
            if (!RecipientProbe.canSend(rcpt.asString())) {
                LOGGER.info("Refused recipient {} (501 5.1.3): not an address a probe can send", printable(rcpt.asString()));
                return RcptAnswers.badSyntax();
            }
            if (james.isKnown(rcpt)) {
                return HookResult.DECLINED;
            }
            destination = routed.get();
        } catch (Exception e) {
            LOGGER.error("Could not tell whether {} is a James recipient; answering 451", printable(rcpt.asString()), e);
            return RcptAnswers.localError(rcpt);
        }
        return verify(rcpt, destination);
    }

    /** From what is known now: the cache, a recent store failure, else a probe awaited within the budget. */
    private HookResult verify(MailAddress rcpt, DestinationList destination) {
        RecipientKey key = RecipientKey.of(rcpt, configuration.localPartCaseSensitive());
        Optional<Verdict> known = cache.lookUp(key);
        if (known.isPresent()) {
            return answer(rcpt, destination, known.get());
        }
        Optional<Verdict> failure = failedStores.recentFailure(destination);
        if (failure.isPresent()) {
            metrics.answeredStoreFailedRecently();
            LOGGER.debug("Deferred recipient {}: {} failed recently: {}", rcpt.asString(), destination, failure.get());
            return RcptAnswers.of(rcpt, failure.get());
        }
        String address = rcpt.asString();
        Probes.Outcome outcome = probes.ask(key, destination, () -> probeAndRemember(key, destination, address));
        if (outcome instanceof Probes.Answered answered) {
            return answer(rcpt, destination, answered.verdict());
        }
        if (outcome instanceof Probes.QueueFull) {
            metrics.answeredQueueFull();
            LOGGER.debug("Deferred recipient {}: every probe thread is busy and the probe queue is full", address);
            return RcptAnswers.busy(rcpt);
        }
        metrics.answeredInProgress();
        LOGGER.debug("Deferred recipient {}: address verification in progress with {}", address, destination);
        return RcptAnswers.inProgress(rcpt);
    }

    /** On a probe thread: asks the store (unless it failed while this probe was queued) and remembers what it learnt. */
    private Verdict probeAndRemember(RecipientKey key, DestinationList destination, String address) {
        Optional<Verdict> failure = failedStores.recentFailure(destination);
        if (failure.isPresent()) {
            return failure.get();
        }
        metrics.probed();
        Verdict verdict = probe.verify(destination, address);
        if (Trouble.probeBlamesTheStore(verdict)) {
            failedStores.failed(destination, verdict);
            LOGGER.warn("Could not verify {} with {}: {}; its recipients are answered 4xx without a probe for {}", address, destination,
                    verdict, DurationSyntax.format(configuration.temporaryExpireTime()));
        } else {
            cache.remember(key, verdict);
            if (verdict.fate() == Fate.DEFERRED) {
                LOGGER.warn("{} answered the probe for {} with a temporary failure: {}", destination, address, verdict);
            }
        }
        return verdict;
    }

    private HookResult answer(MailAddress rcpt, DestinationList destination, Verdict verdict) {
        metrics.answered(verdict);
        if (verdict.fate() == Fate.BOUNCED) {
            LOGGER.info("Rejected recipient {}: {} says {}", rcpt.asString(), destination, verdict);
        } else if (verdict.fate() == Fate.DELIVERED) {
            LOGGER.debug("{} accepted by {}", rcpt.asString(), destination);
        } else {
            LOGGER.debug("Deferred recipient {}: {}", rcpt.asString(), verdict);
        }
        return RcptAnswers.of(rcpt, verdict);
    }

    /** The address for a log line: control characters (C0, DEL, C1) shown as {@code ?}. */
    private static String printable(String address) {
        StringBuilder shown = new StringBuilder(address.length());
        for (int i = 0; i < address.length(); i++) {
            char c = address.charAt(i);
            shown.append(c < 0x20 || (c >= 0x7f && c <= 0x9f) ? '?' : c);
        }
        return shown.toString();
    }

}
