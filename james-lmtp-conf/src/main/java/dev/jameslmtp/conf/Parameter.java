package dev.jameslmtp.conf;

import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import dev.jameslmtp.client.pool.FailedServers;
import dev.jameslmtp.client.pool.PoolLimits;
import dev.jameslmtp.client.sasl.ScramIterations;
import dev.jameslmtp.client.session.Stage;

/**
 * Every mailet parameter of {@code LmtpDelivery}, with its default. The default, when there is
 * one, is written in the parameter's own syntax and parsed like a configured value, so the
 * documented default and the applied one cannot drift apart; the mailet's Javadoc table is
 * checked against {@link #documentedDefault()} by a test.
 */
public enum Parameter implements DocumentedParameter {
    DESTINATION("destination", null, "none"),
    TRANSPORT_MAP("transportMap", null, "none"),
    LHLO_NAME("lhloName", null, "James's default domain, else this host's name"),
    OUTGOING("outgoing", "lmtp-outgoing", null),
    DELAY_TIME("delayTime", DelaySchedule.DEFAULT_DELAY_TIME, null),
    MAX_RETRIES("maxRetries", Integer.toString(DelaySchedule.DEFAULT_MAX_RETRIES), null),
    BOUNCE_PROCESSOR("bounceProcessor", null, "none"),
    ON_SUCCESS("onSuccess", null, "none"),
    SOFT_BOUNCE("softBounce", "false", null),
    RECIPIENT_LIMIT("recipientLimit", "50", null),
    CONCURRENCY("concurrency", "10", null),
    INITIAL_DESTINATION_CONCURRENCY("initialDestinationConcurrency", Integer.toString(DestinationConcurrency.DEFAULT_INITIAL), null),
    DESTINATION_CONCURRENCY_POSITIVE_FEEDBACK("destinationConcurrencyPositiveFeedback", ConcurrencyFeedback.ONE.toString(), null),
    DESTINATION_CONCURRENCY_NEGATIVE_FEEDBACK("destinationConcurrencyNegativeFeedback", ConcurrencyFeedback.ONE.toString(), null),
    DESTINATION_CONCURRENCY_FAILED_COHORT_LIMIT("destinationConcurrencyFailedCohortLimit",
            Integer.toString(DestinationConcurrency.DEFAULT_FAILED_COHORT_LIMIT), null),
    RETRY_JITTER("retryJitter", RetryJitter.DEFAULT, null),
    WAIT_QUEUES("waitQueues", "auto", null),
    JOURNAL_STORE("journalStore", "auto", null),
    JOURNAL_DIRECTORY("journalDirectory", null, "var/lmtp-journal/ followed by the outgoing queue's name, in James's working directory"),
    JOURNAL_MAX_AGE("journalMaxAge", null, "twice the sum of the delayTime delays, at least 1 day"),
    CONNECT_TIMEOUT("connectTimeout", Stage.CONNECT),
    LHLO_TIMEOUT("lhloTimeout", Stage.LHLO),
    STARTTLS_TIMEOUT("starttlsTimeout", Stage.STARTTLS),
    MAIL_TIMEOUT("mailTimeout", Stage.MAIL),
    RCPT_TIMEOUT("rcptTimeout", Stage.RCPT),
    DATA_TIMEOUT("dataTimeout", Stage.DATA),
    BODY_TIMEOUT("bodyTimeout", Stage.BODY),
    BDAT_TIMEOUT("bdatTimeout", Stage.BDAT),
    DOT_TIMEOUT("dotTimeout", Stage.DOT),
    RSET_TIMEOUT("rsetTimeout", Stage.RSET),
    QUIT_TIMEOUT("quitTimeout", Stage.QUIT),
    SKIP_QUIT_RESPONSE("skipQuitResponse", "false", null),
    SKIP_5XX_GREETING("skip5xxGreeting", "true", null),
    ORCPT_WITHOUT_DSN("orcptWithoutDsn", "auto", null),
    USE_CHUNKING("useChunking", "true", null),
    XCLIENT_DESTINATIONS("xclientDestinations", null, "none"),
    TRANSCRIPT("transcript", "false", null),
    SASL_PASSWORD_MAP("saslPasswordMap", null, "none"),
    SASL_MECHANISMS("saslMechanisms", "SCRAM-SHA-256-PLUS, SCRAM-SHA-1-PLUS, SCRAM-SHA-256, SCRAM-SHA-1, CRAM-MD5, PLAIN, LOGIN", null),
    SASL_CHANNEL_BINDING("saslChannelBinding", "none", null),
    SASL_SCRAM_MAX_ITERATIONS("saslScramMaxIterations", Integer.toString(ScramIterations.DEFAULT_MAX), null),
    SASL_SECURITY_OPTIONS("saslSecurityOptions", "noplaintext, noanonymous", null),
    SASL_TLS_SECURITY_OPTIONS("saslTlsSecurityOptions", "noplaintext, noanonymous", null),
    SASL_TLS_VERIFIED_SECURITY_OPTIONS("saslTlsVerifiedSecurityOptions", "noanonymous", null),
    SASL_TRUST_UNIX_SOCKET("saslTrustUnixSocket", "false", null),
    REQUIRE_AUTH("requireAuth", "false", null),
    SASL_AUTH_SOFT_BOUNCE("saslAuthSoftBounce", "true", null),
    SASL_AUTH_CACHE_TIME("saslAuthCacheTime", "1 hour", null),
    TLS_SECURITY_LEVEL("tlsSecurityLevel", "none", null),
    TLS_WRAPPER_MODE("tlsWrapperMode", "false", null),
    TLS_CA_FILE("tlsCAFile", null, "the JDK's trusted CAs"),
    TLS_CERT_FILE("tlsCertFile", null, "none"),
    TLS_KEY_FILE("tlsKeyFile", null, "none"),
    TLS_TRUST_STORE("tlsTrustStore", null, "none"),
    TLS_TRUST_STORE_PASSWORD("tlsTrustStorePassword", null, "none"),
    TLS_KEY_STORE("tlsKeyStore", null, "none"),
    TLS_KEY_STORE_PASSWORD("tlsKeyStorePassword", null, "none"),
    TLS_PROTOCOLS("tlsProtocols", "TLSv1.3, TLSv1.2", null),
    TLS_CIPHERS("tlsCiphers", null, "the JDK's"),
    CONNECTION_CACHE_ENABLED("connectionCacheEnabled", "true", null),
    CONNECTION_CACHE_IDLE_TIME("connectionCacheIdleTime", DurationSyntax.format(PoolLimits.DEFAULT_IDLE_TIME), null),
    CONNECTION_CACHE_REUSE_TIME("connectionCacheReuseTime", DurationSyntax.format(PoolLimits.DEFAULT_REUSE_TIME), null),
    CONNECTION_CACHE_REUSE_LIMIT("connectionCacheReuseLimit", "0", null),
    CONNECTION_CACHE_MAX_IDLE("connectionCacheMaxIdle", Integer.toString(PoolLimits.DEFAULT_MAX_IDLE), null),
    DESTINATION_FAILURE_SKIP_TIME("destinationFailureSkipTime", DurationSyntax.format(FailedServers.DEFAULT_SKIP_TIME), null),
    BOUNCE_MODE("bounceMode", null, "rfc3464, or james when bounceProcessor is set"),
    DELAY_WARNING_TIME("delayWarningTime", null, "none (no delay warnings)"),
    NOTIFY_CLASSES("notifyClasses", null, "none"),
    HEALTH_CHECK_TOTAL("healthCheckTimeout", "10 seconds", null),
    HEALTH_CHECK_CACHE_TIME("healthCheckCacheTime", "10 seconds", null),
    DEBUG_PEER_LIST("debugPeerList", null, "none");

    /** Read by James's mailet container itself (ProcessorImpl), accepted and ignored here. */
    public static final Set<String> CONTAINER_PARAMETERS = Set.of("onMailetException", "onMatcherException", "onMatchException");

    private final String key;
    private final Optional<String> defaultValue;
    private final String documentedDefault;
    private final Optional<Stage> stage;

    Parameter(String key, String defaultValue, String documentedDefault) {
        this(key, defaultValue, documentedDefault, null);
    }

    Parameter(String key, Stage stage) {
        this(key, DurationSyntax.format(stage.defaultTimeout()), null, stage);
    }

    Parameter(String key, String defaultValue, String documentedDefault, Stage stage) {
        this.key = key;
        this.defaultValue = Optional.ofNullable(defaultValue);
        this.documentedDefault = documentedDefault == null ? defaultValue : documentedDefault;
        this.stage = Optional.ofNullable(stage);
    }

    /** The name as written in {@code mailetcontainer.xml}; case-sensitive. */
    public String key() {
        return key;
    }

    /** The default in the parameter's syntax; empty when there is none or it is computed. */
    public Optional<String> defaultValue() {
        return defaultValue;
    }

    /** The default as the mailet's Javadoc table shows it. */
    public String documentedDefault() {
        return documentedDefault;
    }

    /** For a timeout parameter, the client stage it sets. */
    public Optional<Stage> stage() {
        return stage;
    }

    public static Set<String> keys() {
        return Arrays.stream(values()).map(Parameter::key).collect(Collectors.toUnmodifiableSet());
    }
}
