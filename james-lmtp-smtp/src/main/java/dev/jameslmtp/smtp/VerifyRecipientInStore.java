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
import dev.jameslmtp.client.Disposition;
import dev.jameslmtp.client.LmtpClient;
import dev.jameslmtp.client.RecipientProbe;
import dev.jameslmtp.client.Transcript;
import dev.jameslmtp.client.Verdict;
import dev.jameslmtp.conf.ConfigurationError;

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
 *   <li>known to James itself (a James user, or an alias/forward/error in James's recipient
 *   rewrite table): declined, James's chain decides, as with {@code ValidRcptHandler};</li>
 *   <li>otherwise a probe ({@link RecipientProbe}: LHLO, {@code MAIL FROM:<>}, {@code RCPT TO},
 *   RSET, QUIT) asks the store (the servers of a destination list in order, passing over those
 *   that cannot be reached); the answer is remembered ({@link VerificationCache}) and mapped by
 *   {@link RcptAnswers}: accepted → declined (the rest of the RCPT hooks run and James accepts),
 *   refused → the store's 5xx and status, any other trouble → 451 4.x.x (never accept and bounce
 *   later).</li>
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
 * The probe blocks the SMTP session for at most {@code connectTimeout} plus five
 * {@code replyTimeout}s when the store hangs. {@code postmaster@} is probed like any address: the
 * store must know it (RFC 5321 §4.5.1 requires accepting it).
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

    @Inject
    public VerifyRecipientInStore(DomainList domains, UsersRepository users, RecipientRewriteTable rewrites,
                                  MetricFactory metricFactory) {
        this(JamesRecipients.of(domains, users, rewrites), metricFactory, Clock.systemUTC(), () -> defaultDomain(domains));
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
        this.configuration = configuration;
        Transcript transcript = configuration.transcript()
                ? Transcript.to(TRANSCRIPT_LOGGER::info)
                : TRANSCRIPT_LOGGER.isDebugEnabled() ? Transcript.to(TRANSCRIPT_LOGGER::debug) : Transcript.NONE;
        this.probe = new RecipientProbe(LmtpClient.builder()
                .lhloName(configuration.lhloName())
                .timeouts(configuration.timeouts())
                .tls(configuration.security().tls())
                .sasl(configuration.security().sasl())
                .transcript(transcript)
                .build());
        this.cache = new VerificationCache(clock, configuration.positiveExpireTime(), configuration.negativeExpireTime(),
                configuration.cacheSize());
        LOGGER.info("Verifying recipients of James's domains with the store: {}", configuration.routing().destinations());
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress rcpt) {
        if (cache == null) {
            throw new IllegalStateException("VerifyRecipientInStore is not initialised");
        }
        Optional<DestinationList> destination;
        try {
            if (!james.isLocalDomain(rcpt.getDomain())) {
                return HookResult.DECLINED;
            }
            destination = configuration.routing().destinationFor(rcpt.getDomain().asString());
            if (destination.isEmpty() || james.isKnown(rcpt)) {
                return HookResult.DECLINED;
            }
        } catch (Exception e) {
            LOGGER.error("Could not tell whether {} is a James recipient; answering 451", rcpt.asString(), e);
            return RcptAnswers.localError(rcpt);
        }
        Verdict verdict = cache.verify(rcpt.asString(), () -> {
            metrics.probed();
            return probe.verify(destination.get(), rcpt.asString());
        });
        metrics.answered(verdict);
        log(rcpt, destination.get(), verdict);
        return RcptAnswers.of(rcpt, verdict);
    }

    private static void log(MailAddress rcpt, DestinationList destination, Verdict verdict) {
        if (verdict.disposition() == Disposition.DELIVERED) {
            LOGGER.debug("{} accepted by {}", rcpt.asString(), destination);
        } else if (verdict.disposition() == Disposition.PERMANENT_FAILURE) {
            LOGGER.info("Rejected recipient {}: {} says {}", rcpt.asString(), destination, verdict);
        } else {
            LOGGER.warn("Deferred recipient {} (451): could not verify it with {}: {}", rcpt.asString(), destination, verdict);
        }
    }

    private static String defaultDomain(DomainList domains) {
        try {
            return domains.getDefaultDomain().asString();
        } catch (Exception e) {
            LOGGER.warn("No default domain from James's DomainList ({}); LHLO with this host's name", e.toString());
            return LmtpClient.localHostName();
        }
    }
}
