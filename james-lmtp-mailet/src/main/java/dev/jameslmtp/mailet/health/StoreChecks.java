package dev.jameslmtp.mailet.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.DestinationList;
import dev.jameslmtp.client.LmtpClient;
import dev.jameslmtp.client.SessionCheck;

/**
 * The health checks of one LmtpDelivery's stores: every server of every destination it routes to
 * now ({@code destination}, or each destination of the transport map as it reads now) is asked
 * for a session ({@link SessionCheck}: connect, greeting, LHLO, STARTTLS and AUTH as the mailet
 * is configured, QUIT; no mail), all servers side by side, each within
 * {@code healthCheckTimeout}.
 *
 * <p>Threads: the checks run on this object's own pool of at most {@value #THREADS} daemon
 * threads ({@code lmtp-health-<owner>-N}, ended when idle) with a queue of {@value #QUEUE}, and a
 * timer thread ({@code lmtp-health-<owner>-deadline}) that ends a check at its total; never on
 * the caller's thread. {@link #statuses()} does not block: it answers from the last round while it
 * is younger than {@code healthCheckCacheTime}, else with the round running (one at a time,
 * shared by every caller) or one started now. A round ends at most {@code healthCheckTimeout} plus
 * {@value #GRACE_MILLIS} ms after it starts, whatever the pool: a server whose check had not
 * ended by then (waiting for a thread, say) is reported as failed, saying so.
 *
 * <p>{@link #close} stops the threads, ends the checks in progress and completes a round in
 * progress with no stores. Thread-safe.
 */
public final class StoreChecks implements AutoCloseable {

    static final int THREADS = 4;
    static final int QUEUE = 64;
    static final long GRACE_MILLIS = 1000;

    private static final Logger LOGGER = LoggerFactory.getLogger(StoreChecks.class);

    private final String owner;
    private final Supplier<Set<DestinationList>> destinations;
    private final HealthCheckSettings settings;
    private final Clock clock;
    private final ThreadPoolExecutor threads;
    private final ScheduledThreadPoolExecutor timer;
    private final Supplier<LmtpClient> client;
    /** Guarded by this; made at the first round (so a mailet never checked never builds its client twice). */
    private SessionCheck sessions;
    /** Guarded by this. */
    private Round last;
    /** Guarded by this. */
    private CompletableFuture<List<StoreStatus>> running;
    /** Guarded by this. */
    private boolean closed;

    private record Round(Instant ended, List<StoreStatus> statuses) {
    }

    /**
     * @param owner        names the mailet in causes and thread names, e.g. {@code queue lmtp-outgoing}
     * @param destinations the destinations to check, asked at each round
     * @param client       makes a client as the mailet delivers with (its TLS, SASL, LHLO name and timeouts), at the first round
     */
    public StoreChecks(String owner, Supplier<Set<DestinationList>> destinations, Supplier<LmtpClient> client,
                       HealthCheckSettings settings, Clock clock) {
        this.owner = Objects.requireNonNull(owner, "owner");
        this.destinations = Objects.requireNonNull(destinations, "destinations");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        String prefix = "lmtp-health-" + owner.replaceAll("[^A-Za-z0-9._-]+", "_");
        this.threads = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), daemons(prefix + "-"));
        this.threads.allowCoreThreadTimeOut(true);
        this.timer = new ScheduledThreadPoolExecutor(1, daemons(prefix + "-deadline"));
        this.timer.setRemoveOnCancelPolicy(true);
        this.client = Objects.requireNonNull(client, "client");
    }

    /** The mailet these stores belong to, as causes name it. */
    public String owner() {
        return owner;
    }

    /**
     * The status of each store, in the order of their destinations' names: the last round's while
     * it is younger than {@code healthCheckCacheTime}, else the running round's (started now if
     * none runs). Never blocks. The future may be cancelled without disturbing other callers.
     */
    public synchronized CompletableFuture<List<StoreStatus>> statuses() {
        if (closed) {
            return CompletableFuture.completedFuture(List.of());
        }
        if (last != null && clock.instant().isBefore(last.ended().plus(settings.cacheTime()))) {
            return CompletableFuture.completedFuture(last.statuses());
        }
        CompletableFuture<List<StoreStatus>> round = running;
        if (round == null) {
            CompletableFuture<List<StoreStatus>> started = startRound();
            running = started;
            started.whenComplete((statuses, error) -> ended(started, statuses)); // at once when it has already ended
            round = started;
        }
        return round.copy();
    }

    private synchronized void ended(CompletableFuture<List<StoreStatus>> round, List<StoreStatus> statuses) {
        if (running == round) {
            running = null;
        }
        if (statuses != null && !closed) {
            last = new Round(clock.instant(), statuses);
        }
    }

    /** Called with this object's lock held. */
    private CompletableFuture<List<StoreStatus>> startRound() {
        List<DestinationList> lists;
        try {
            if (sessions == null) {
                sessions = new SessionCheck(client.get(), settings.timeout(), timer);
            }
            lists = destinations.get().stream().sorted(Comparator.comparing(DestinationList::toString)).toList();
        } catch (RuntimeException e) {
            LOGGER.warn("LMTP health check of {}: cannot list the destinations: {}", owner, e.toString());
            return CompletableFuture.failedFuture(e);
        }
        Map<Destination, CompletableFuture<Optional<String>>> checks = new LinkedHashMap<>();
        SessionCheck session = sessions;
        lists.forEach(list -> list.servers().forEach(server -> checks.computeIfAbsent(server, s -> check(session, s))));
        return CompletableFuture.allOf(checks.values().toArray(CompletableFuture[]::new))
                .thenApply(done -> lists.stream().map(list -> status(list, checks)).toList());
    }

    private StoreStatus status(DestinationList list, Map<Destination, CompletableFuture<Optional<String>>> checks) {
        Map<Destination, String> failures = new LinkedHashMap<>();
        list.servers().forEach(server -> checks.get(server).join().ifPresent(why -> failures.put(server, why)));
        return new StoreStatus(owner, list, failures);
    }

    /** One server's check on the pool; completed, whatever happens, by the deadline's timer. */
    private CompletableFuture<Optional<String>> check(SessionCheck session, Destination server) {
        CompletableFuture<Optional<String>> result = new CompletableFuture<>();
        try {
            ScheduledFuture<?> late = timer.schedule(() -> result.complete(Optional.of("4.4.2 no answer within the health check's total of "
                    + settings.timeout().toMillis() + " ms (the check had not ended, or had found no free thread)")),
                    settings.timeout().toMillis() + GRACE_MILLIS, TimeUnit.MILLISECONDS);
            result.whenComplete((failure, error) -> late.cancel(false));
            threads.execute(() -> {
                if (!result.isDone()) {
                    result.complete(checkNow(session, server));
                }
            });
        } catch (RejectedExecutionException e) {
            result.complete(Optional.of(closedOrBusy()));
        }
        return result;
    }

    private synchronized String closedOrBusy() {
        return closed ? "not checked: the health checks were stopped"
                : "not checked: all " + THREADS + " health check threads and their queue of " + QUEUE + " are busy";
    }

    private Optional<String> checkNow(SessionCheck session, Destination server) {
        try {
            Optional<String> failure = session.check(server);
            failure.ifPresent(why -> LOGGER.debug("LMTP health check of {} ({}): {}", server, owner, why));
            return failure;
        } catch (RuntimeException e) {
            LOGGER.error("LMTP health check of {} ({}) failed", server, owner, e);
            return Optional.of("health check failed: " + e.getClass().getSimpleName());
        }
    }

    /** Stops the threads and the checks in progress; a round in progress completes with no stores. */
    @Override
    public void close() {
        CompletableFuture<List<StoreStatus>> round;
        SessionCheck session;
        synchronized (this) {
            closed = true;
            round = running;
            session = sessions;
            last = null;
        }
        if (round != null) {
            round.complete(List.of()); // before the sessions are aborted, whose ends would complete it with their failures
        }
        if (session != null) {
            session.abortAll();
        }
        threads.shutdownNow();
        timer.shutdownNow();
    }

    /** For tests: whether the pool's threads have all ended after {@link #close}. */
    boolean awaitStopped(Duration timeout) throws InterruptedException {
        return threads.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)
                && timer.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static ThreadFactory daemons(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix.endsWith("-") ? prefix + count.incrementAndGet() : prefix);
            thread.setDaemon(true);
            return thread;
        };
    }
}
