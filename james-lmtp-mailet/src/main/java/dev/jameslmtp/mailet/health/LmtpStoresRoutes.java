package dev.jameslmtp.mailet.health;

import java.util.List;
import java.util.Objects;

import javax.inject.Inject;

import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.utils.JsonTransformer;

import spark.Request;
import spark.Response;
import spark.Service;

/**
 * A webadmin route listing each LMTP store on its own, where James's {@code /healthcheck} has one
 * component for all ({@link LmtpStoresHealthCheck}); listed in James's {@code webadmin.properties}:
 *
 * <pre>
 * extensions.routes=dev.jameslmtp.mailet.health.LmtpStoresRoutes
 * </pre>
 *
 * <p>{@code GET /lmtp/stores}: {@code 200} and a JSON array, one element per destination of each
 * LmtpDelivery, in the order of the mailets and of the destinations' names:
 * <pre>{@code
 * [{"destination":"inet:[10.0.0.5]:24, inet:[10.0.0.6]:24","owner":"queue lmtp-outgoing","status":"degraded",
 *   "failures":[{"server":"inet:[10.0.0.6]:24","diagnostic":"4.4.1 connect to inet:[10.0.0.6]:24: Connection refused (CONNECT)"}]}]
 * }</pre>
 * The statuses are those of the health check, from the same cache: the request waits at most
 * {@code healthCheckTimeout} (plus a second) on James's webadmin thread; the checks themselves
 * run on the mailets' own threads. Behind webadmin's authentication like James's own routes.
 */
public final class LmtpStoresRoutes implements Routes {

    public static final String BASE_PATH = "/lmtp/stores";

    private final StoreHealth stores;
    private final JsonTransformer json;

    @Inject
    public LmtpStoresRoutes(StoreHealth stores, JsonTransformer json) {
        this.stores = Objects.requireNonNull(stores, "stores");
        this.json = Objects.requireNonNull(json, "json");
    }

    @Override
    public String getBasePath() {
        return BASE_PATH;
    }

    @Override
    public void define(Service service) {
        service.get(BASE_PATH, this::list, json);
    }

    private Object list(Request request, Response response) {
        response.type("application/json");
        return stores.statuses().join().stream().map(StoreView::of).toList();
    }

    /** One store as the route shows it. */
    public record StoreView(String destination, String owner, String status, List<FailureView> failures) {
        static StoreView of(StoreStatus status) {
            return new StoreView(status.destination().toString(), status.owner(), status.status().getValue(),
                    status.failures().entrySet().stream().map(e -> new FailureView(e.getKey().toString(), e.getValue())).toList());
        }
    }

    /** A server of a store that failed its check, and why. */
    public record FailureView(String server, String diagnostic) {
    }
}
