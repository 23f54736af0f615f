package dev.jameslmtp.mailet.queue;

import java.util.Objects;

import javax.inject.Inject;

import org.apache.james.webadmin.Routes;
import org.eclipse.jetty.http.HttpStatus;

import spark.Request;
import spark.Response;
import spark.Service;

/**
 * A webadmin route delivering the mail an LmtpDelivery keeps waiting, now; listed in James's
 * {@code webadmin.properties} beside the stores' route:
 *
 * <pre>
 * extensions.routes=dev.jameslmtp.mailet.health.LmtpStoresRoutes,dev.jameslmtp.mailet.queue.LmtpQueuesRoutes
 * </pre>
 *
 * <p>{@code POST /lmtp/queues/<outgoing>/flush}: {@code 204}, and the mail waiting for a retry or
 * for a busy store is attempted at once, whether it waits on James's queue (what James's own
 * {@code PATCH /mailQueues/<outgoing>/mails?delayed=true} does) or on the mailet's wait queues,
 * which James's flush does not see; {@code 404} when no LmtpDelivery of this James consumes
 * {@code <outgoing>}. It flushes what waits in the queues and what this node holds: on several
 * James nodes, call it on each (mail another node holds is due at its time, or within 10 minutes).
 */
public final class LmtpQueuesRoutes implements Routes {

    public static final String BASE_PATH = "/lmtp/queues";

    private final Flushes flushes;

    @Inject
    public LmtpQueuesRoutes(Flushes flushes) {
        this.flushes = Objects.requireNonNull(flushes, "flushes");
    }

    @Override
    public String getBasePath() {
        return BASE_PATH;
    }

    @Override
    public void define(Service service) {
        service.post(BASE_PATH + "/:outgoing/flush", this::flush);
    }

    private Object flush(Request request, Response response) {
        if (flushes.flush(request.params("outgoing"))) {
            response.status(HttpStatus.NO_CONTENT_204);
            return "";
        }
        response.status(HttpStatus.NOT_FOUND_404);
        response.type("application/json");
        return "{\"statusCode\":404,\"type\":\"notFound\",\"message\":\"no LmtpDelivery of this James consumes this queue\"}";
    }
}
