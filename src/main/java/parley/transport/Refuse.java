package parley.transport;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * Refusing a request whose body the client may still be sending. Closing at once would reset the
 * connection and lose the answer (the kernel discards what it has not delivered), so the rest is read and
 * thrown away, up to {@link #DRAIN_BYTES} or {@link #DRAIN_MS}, before the connection closes. A client that
 * asked {@code Expect: 100-continue} sends nothing more, and a body declared larger than that is not worth
 * reading: those connections close as soon as the answer is out. Call it on the request's event loop.
 */
final class Refuse {
    private Refuse() {}

    /** How much of a refused body is still read (and discarded) so that its sender gets the answer. */
    static final long DRAIN_BYTES = 16L * 1024 * 1024;
    private static final long DRAIN_MS = 10_000;

    /** Answers {@code status} with {@code body} (of {@code contentType}) and ends the connection once the body is read. */
    static void refuse(Vertx vertx, RoutingContext ctx, int status, String contentType, String body) {
        HttpServerResponse r = ctx.response();
        if (r.ended()) return;
        HttpServerRequest request = ctx.request();
        boolean unread = !request.isEnded();
        if (unread) r.putHeader("Connection", "close");
        var answered = r.setStatusCode(status).putHeader("Content-Type", contentType).end(body);
        if (!unread) return;
        HttpConnection connection = request.connection();
        long length = parseLength(request.getHeader("Content-Length"));
        boolean waitsForContinue = "100-continue".equalsIgnoreCase(request.getHeader("Expect"));
        if (waitsForContinue || length > DRAIN_BYTES) {
            answered.onComplete(sent -> connection.close());
            return;
        }
        long[] drained = {0};
        long timer = vertx.setTimer(DRAIN_MS, t -> connection.close());
        request.handler(buf -> {
            drained[0] += buf.length();
            if (drained[0] > DRAIN_BYTES) {
                vertx.cancelTimer(timer);
                connection.close();
            }
        });
        request.exceptionHandler(e -> vertx.cancelTimer(timer));
        request.endHandler(end -> {
            vertx.cancelTimer(timer);
            answered.onComplete(sent -> connection.close());
        });
        request.resume();
    }

    static long parseLength(String header) {
        try {
            return header == null ? -1 : Long.parseLong(header.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
