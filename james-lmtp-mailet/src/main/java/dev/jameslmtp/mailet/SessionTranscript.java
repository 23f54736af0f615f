package dev.jameslmtp.mailet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import dev.jameslmtp.client.DestinationList;
import dev.jameslmtp.client.wire.Transcript;
import dev.jameslmtp.conf.LmtpDeliveryConfiguration;
import dev.jameslmtp.conf.NotifyClass;

/**
 * Where the transcript of one attempt's LMTP sessions with one destination goes: to logger
 * {@value #LOGGER_NAME} at INFO when {@code transcript=true} or the destination is on
 * {@code debugPeerList} (Postfix's {@code debug_peer_list}; for a destination list, when one of its
 * servers is listed), else at DEBUG; and, with
 * {@code notifyClasses=protocol}, into a bounded copy ({@value #MAX_LINES} lines of at most
 * {@value #MAX_LINE} characters) for the postmaster's notice. The lines are those the client hands
 * to a {@link Transcript}: already redacted (AUTH payloads and challenges as {@code ****}) and
 * neutralised; message content is never in them.
 */
final class SessionTranscript {

    static final String LOGGER_NAME = "dev.jameslmtp.mailet.transcript";
    static final int MAX_LINES = 500;
    static final int MAX_LINE = 1000;
    private static final Logger LOGGER = LoggerFactory.getLogger(LOGGER_NAME);

    private final Transcript transcript;
    private final List<String> kept;

    private SessionTranscript(Transcript transcript, List<String> kept) {
        this.transcript = transcript;
        this.kept = kept;
    }

    static SessionTranscript open(LmtpDeliveryConfiguration configuration, String mailName, DestinationList destination) {
        boolean info = configuration.transcript() || destination.servers().stream().anyMatch(configuration.reporting()::isDebugPeer);
        boolean debug = !info && LOGGER.isDebugEnabled();
        boolean keep = configuration.reporting().notifies(NotifyClass.PROTOCOL);
        if (!info && !debug && !keep) {
            return new SessionTranscript(Transcript.NONE, List.of());
        }
        List<String> kept = keep ? Collections.synchronizedList(new ArrayList<>()) : List.of();
        Thread attemptThread = Thread.currentThread();
        Map<String, String> attemptMdc = MDC.getCopyOfContextMap();
        return new SessionTranscript(Transcript.to(line -> {
            if (info || debug) {
                log(info, mailName, line, Thread.currentThread() == attemptThread ? null : attemptMdc);
            }
            if (keep && kept.size() < MAX_LINES) {
                kept.add(line.length() <= MAX_LINE ? line : line.substring(0, MAX_LINE) + "...");
            }
        }), kept);
    }

    /**
     * A line may come from another thread (the reply to QUIT is read in the background): it is
     * logged with the attempt's MDC ({@code otherThreadMdc}), then that thread's is put back.
     */
    private static void log(boolean info, String mailName, String line, Map<String, String> otherThreadMdc) {
        Map<String, String> previous = otherThreadMdc == null ? null : MDC.getCopyOfContextMap();
        if (otherThreadMdc != null) {
            MDC.setContextMap(otherThreadMdc);
        }
        try {
            if (info) {
                LOGGER.info("{} {}", mailName, line);
            } else {
                LOGGER.debug("{} {}", mailName, line);
            }
        } finally {
            if (otherThreadMdc != null) {
                if (previous == null) {
                    MDC.clear();
                } else {
                    MDC.setContextMap(previous);
                }
            }
        }
    }

    Transcript transcript() {
        return transcript;
    }

    /** The lines kept for a postmaster notice; empty unless {@code notifyClasses=protocol}. */
    List<String> keptLines() {
        synchronized (kept) {
            return List.copyOf(kept);
        }
    }
}
