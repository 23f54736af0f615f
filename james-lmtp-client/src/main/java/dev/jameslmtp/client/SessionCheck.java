package dev.jameslmtp.client;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;

import dev.jameslmtp.client.session.Stage;
import dev.jameslmtp.client.wire.ConversationDeadline;
import dev.jameslmtp.client.wire.EnhancedStatus;

/**
 * Whether one LMTP server would open a session now, without sending any mail: a session opened as
 * a delivery opens it ({@link LmtpClient#connect}: connect, greeting, LHLO, and STARTTLS and AUTH
 * when the client is configured for them), then {@code QUIT}, whose reply is never awaited on the
 * caller's thread ({@link LmtpConnection#quitWithoutWaiting}). For health checks.
 *
 * <p>{@link #check} never throws for server or network trouble. It returns nothing when the
 * session opened, else the client's diagnostic of the failure, as a {@link Verdict} prints it
 * (e.g. {@code 4.4.1 connect to inet:[127.0.0.1]:24: Connection refused (CONNECT)}), which never
 * holds a secret. Each check ends within {@code total}, connect, TLS handshake and AUTH
 * included: then its sockets are closed ({@link ConversationDeadline}) and the verdict says so.
 * Thread-safe: every call opens its own session.
 */
public final class SessionCheck {

    private final LmtpClient client;
    private final Duration total;
    private final ScheduledExecutorService timer;
    private final Set<ConversationDeadline> inProgress = ConcurrentHashMap.newKeySet();
    private volatile boolean aborted;

    /**
     * Checks that end {@code total} after they start; {@code timer} (owned by the caller, on a
     * thread of its own) closes the sockets of a check past its total.
     */
    public SessionCheck(LmtpClient client, Duration total, ScheduledExecutorService timer) {
        this.client = Objects.requireNonNull(client, "client");
        if (Objects.requireNonNull(total, "total").isNegative() || total.isZero()) {
            throw new IllegalArgumentException("total <= 0: " + total);
        }
        this.total = total;
        this.timer = Objects.requireNonNull(timer, "timer");
    }

    /** Opens a session with {@code server} and quits: empty when it opened, else why not. */
    public Optional<String> check(Destination server) {
        Objects.requireNonNull(server, "server");
        try (ConversationDeadline deadline = ConversationDeadline.arm(total, timer)) {
            inProgress.add(deadline);
            try {
                client.connect(server).quitWithoutWaiting();
                return Optional.empty();
            } catch (LmtpConnectException e) {
                return Optional.of(deadline.passed() ? timedOut(e.verdict().stage()) : e.verdict().toString());
            } finally {
                inProgress.remove(deadline);
            }
        }
    }

    /** Ends every check in progress now, as if its total had passed: for an owner that shuts down. */
    public void abortAll() {
        aborted = true;
        inProgress.forEach(ConversationDeadline::expire);
    }

    private String timedOut(Stage stage) {
        String why = aborted ? "session check ended by a shutdown"
                : "no session within the check's total of " + total.toMillis() + " ms";
        return EnhancedStatus.CONNECTION_LOST + " " + why + "; ended while " + stage.description() + " (" + stage + ")";
    }
}
