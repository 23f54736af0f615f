package dev.jameslmtp.smtp;

import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import dev.jameslmtp.conf.DocumentedParameter;

/**
 * Every parameter of the {@link VerifyRecipientInStore} hook, with its default. The default,
 * when there is one, is written in the parameter's own syntax and parsed like a configured value;
 * {@code docs/configuration.md} is checked against {@link #documentedDefault()} by a test.
 */
public enum HookParameter implements DocumentedParameter {
    DESTINATION("destination", null, "none"),
    TRANSPORT_MAP("transportMap", null, "none"),
    LHLO_NAME("lhloName", null, "James's default domain, else this host's name"),
    CONNECT_TIMEOUT("connectTimeout", "10 seconds", null),
    REPLY_TIMEOUT("replyTimeout", "30 seconds", null),
    POSITIVE_EXPIRE_TIME("positiveExpireTime", "1 hour", null),
    NEGATIVE_EXPIRE_TIME("negativeExpireTime", "5 minutes", null),
    CACHE_SIZE("cacheSize", "10000", null),
    TEMPORARY_EXPIRE_TIME("temporaryExpireTime", "10 seconds", null),
    LOCAL_PART_CASE_SENSITIVE("localPartCaseSensitive", "false", null),
    VERIFY_BUDGET("verifyBudget", "200 ms", null),
    PROBE_TIMEOUT("probeTimeout", "30 seconds", null),
    PROBE_THREADS("probeThreads", "8", null),
    PROBE_QUEUE_SIZE("probeQueueSize", "100", null),
    TRANSCRIPT("transcript", "false", null);

    private final String key;
    private final Optional<String> defaultValue;
    private final String documentedDefault;

    HookParameter(String key, String defaultValue, String documentedDefault) {
        this.key = key;
        this.defaultValue = Optional.ofNullable(defaultValue);
        this.documentedDefault = documentedDefault == null ? defaultValue : documentedDefault;
    }

    /** The name of the child element of {@code <handler>} in {@code smtpserver.xml}; case-sensitive. */
    public String key() {
        return key;
    }

    /** The default in the parameter's syntax; empty when there is none or it is computed. */
    public Optional<String> defaultValue() {
        return defaultValue;
    }

    /** The default as {@code docs/configuration.md} shows it. */
    public String documentedDefault() {
        return documentedDefault;
    }

    public static Set<String> keys() {
        return Arrays.stream(values()).map(HookParameter::key).collect(Collectors.toUnmodifiableSet());
    }
}
