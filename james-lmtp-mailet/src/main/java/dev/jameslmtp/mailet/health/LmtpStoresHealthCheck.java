package dev.jameslmtp.mailet.health;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

import javax.inject.Inject;

import org.apache.james.core.healthcheck.ComponentName;
import org.apache.james.core.healthcheck.HealthCheck;
import org.apache.james.core.healthcheck.Result;
import org.apache.james.core.healthcheck.ResultStatus;
import org.reactivestreams.Publisher;

import reactor.core.publisher.Mono;

/**
 * The LMTP stores of this James's LmtpDelivery mailets in James's health checks (webadmin's
 * {@code GET /healthcheck}, {@code GET /healthcheck/checks/lmtp-stores}, and James's periodical
 * checks), listed in James's {@code healthcheck.properties}:
 *
 * <pre>
 * additional.healthchecks=dev.jameslmtp.mailet.health.LmtpStoresHealthCheck
 * </pre>
 *
 * <p>One component, {@value #NAME}, for every store: James 3.8.1 builds its set of health checks
 * once, at start-up, from Guice bindings and the classes of that file (one instance each), before
 * any mailet has read its destinations, so there can be no check per destination. The result is
 * the worst store's: healthy when every server of every destination answered, degraded when some
 * servers of a destination list failed (the mailet fails over to the others), unhealthy when every
 * server of some destination failed (its mail waits). The cause names each store that is not
 * healthy, each failed server and the client's diagnostic (never a secret), stores separated by
 * {@code " | "}; {@link LmtpStoresRoutes} shows every store on its own.
 *
 * <p>{@link #check()} never runs a check on the caller's thread and never blocks: the stores are
 * checked on each mailet's own threads, the result cached for {@code healthCheckCacheTime}, and a
 * caller waits at most {@code healthCheckTimeout} (plus a second) for a fresh one.
 */
public final class LmtpStoresHealthCheck implements HealthCheck {

    public static final String NAME = "lmtp-stores";
    private static final ComponentName COMPONENT = new ComponentName(NAME);

    private final StoreHealth stores;

    @Inject
    public LmtpStoresHealthCheck(StoreHealth stores) {
        this.stores = Objects.requireNonNull(stores, "stores");
    }

    @Override
    public ComponentName componentName() {
        return COMPONENT;
    }

    @Override
    public Publisher<Result> check() {
        return Mono.defer(() -> Mono.fromFuture(stores.statuses()))
                .map(statuses -> result(statuses, stores.severalOwners()))
                .onErrorResume(e -> Mono.just(Result.unhealthy(COMPONENT, "LMTP store health check failed: " + e, e)));
    }

    /** The worst store's status, with every store that is not healthy in the cause. */
    static Result result(List<StoreStatus> statuses, boolean withOwners) {
        ResultStatus worst = statuses.stream().map(StoreStatus::status).reduce(ResultStatus::merge).orElse(ResultStatus.HEALTHY);
        String cause = statuses.stream()
                .filter(status -> status.status() != ResultStatus.HEALTHY)
                .map(status -> status.describe(withOwners))
                .collect(Collectors.joining(" | "));
        return switch (worst) {
            case HEALTHY -> Result.healthy(COMPONENT);
            case DEGRADED -> Result.degraded(COMPONENT, cause);
            case UNHEALTHY -> Result.unhealthy(COMPONENT, cause);
        };
    }
}
