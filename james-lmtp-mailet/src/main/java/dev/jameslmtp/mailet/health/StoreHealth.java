package dev.jameslmtp.mailet.health;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArraySet;

import javax.inject.Inject;
import javax.inject.Singleton;

/**
 * The stores of this James's LmtpDelivery mailets, for its health check and its webadmin route:
 * each mailet registers its {@link StoreChecks} at {@code init} and removes them at
 * {@code destroy}.
 *
 * <p>One per James, not per JVM: a Guice singleton. Nothing binds it; Guice makes a just-in-time
 * binding in the server's own (root) injector, since it needs nothing, and the mailets, the
 * health check listed in {@code healthcheck.properties} and the route listed in
 * {@code webadmin.properties} (all built by James's {@code GuiceGenericLoader}, from a child of that
 * injector, with one class loader for {@code extensions-jars/}) are given the same instance. Two
 * James servers in one JVM have two root injectors, so two instances: neither sees the other's
 * stores. A mailet built without Guice (a unit test) keeps one of its own. Thread-safe.
 */
@Singleton
public final class StoreHealth {

    private final Set<StoreChecks> registered = new CopyOnWriteArraySet<>();

    @Inject
    public StoreHealth() {
    }

    public void register(StoreChecks checks) {
        registered.add(Objects.requireNonNull(checks, "checks"));
    }

    public void unregister(StoreChecks checks) {
        registered.remove(Objects.requireNonNull(checks, "checks"));
    }

    /** Whether more than one mailet has stores here (then causes name the mailet of each store). */
    public boolean severalOwners() {
        return registered.size() > 1;
    }

    /**
     * The status of every store of every registered mailet, as {@link StoreChecks#statuses()}
     * gives them (cached, bounded in time, never blocking); no stores when no mailet is registered.
     */
    public CompletableFuture<List<StoreStatus>> statuses() {
        List<CompletableFuture<List<StoreStatus>>> each = registered.stream().map(StoreChecks::statuses).toList();
        return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                .thenApply(done -> each.stream().flatMap(statuses -> statuses.join().stream()).toList());
    }
}
