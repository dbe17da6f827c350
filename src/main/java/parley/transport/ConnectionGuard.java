package parley.transport;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Connection-level limits, before any message is read: a new TCP connection must send its first request
 * within the handshake timeout (so that thousands of half-open or trickling handshakes cannot hold
 * sockets and memory), and one IP address may hold at most so many WebSockets at once.
 */
final class ConnectionGuard {
    private final Vertx vertx;
    private final Duration handshakeTimeout;
    private final int maxPerAddress;
    private final Map<HttpConnection, Long> awaitingRequest = new ConcurrentHashMap<>();
    private final Map<String, Integer> sockets = new ConcurrentHashMap<>(); // open WebSockets per address

    ConnectionGuard(Vertx vertx, Duration handshakeTimeout, int maxPerAddress) {
        this.vertx = vertx;
        this.handshakeTimeout = handshakeTimeout;
        this.maxPerAddress = maxPerAddress;
    }

    /** A new connection: closed unless {@link #requested} is called for it in time. */
    void opened(HttpConnection connection) {
        long timer = vertx.setTimer(handshakeTimeout.toMillis(), t -> {
            if (awaitingRequest.remove(connection) != null) connection.close();
        });
        awaitingRequest.put(connection, timer);
        connection.closeHandler(v -> {
            Long pending = awaitingRequest.remove(connection);
            if (pending != null) vertx.cancelTimer(pending);
        });
    }

    /** The connection sent a whole request head. */
    void requested(HttpConnection connection) {
        Long pending = awaitingRequest.remove(connection);
        if (pending != null) vertx.cancelTimer(pending);
    }

    /** Counts a WebSocket from {@code address}; false (and nothing counted) when it has its maximum. */
    boolean tryOpenSocket(String address) {
        boolean[] counted = {false};
        sockets.compute(address, (a, n) -> {
            int open = n == null ? 0 : n;
            if (open >= maxPerAddress) return n;
            counted[0] = true;
            return open + 1;
        });
        return counted[0];
    }

    void socketClosed(String address) {
        sockets.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    }
}
