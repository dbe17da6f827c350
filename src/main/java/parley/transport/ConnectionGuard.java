package parley.transport;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Connection-level limits, before any message is read, so that no client can hold the server's sockets
 * (each an open file) and memory:
 * <ul>
 * <li>at most {@code maxConnections} connections at once, kept below the process's open-file limit so
 *     that the database, the files and the accepting itself always have descriptors; beyond it a new
 *     connection is closed as soon as it is accepted;
 * <li>at most {@code maxPerAddress} connections at once from one IP address, HTTP and WebSocket together,
 *     counted as they are accepted (the excess is closed at once). The address is the TCP peer's: no header
 *     has been read yet. Connections from a trusted proxy carry many people, so they count only towards
 *     {@code maxConnections}; the WebSockets they carry count per forwarded address at the upgrade
 *     ({@link #tryOpenSocket}, answered 429);
 * <li>a new connection must send its first request head within the handshake timeout;
 * <li>a request's body must have arrived within the body timeout of its head, unless its handler reads
 *     it as a stream and keeps its own time ({@link #bodyStreamed}: uploads).
 * </ul>
 * Counts are given back when the connection closes, or the WebSocket it became ({@link #upgraded}).
 * Call each method on the connection's event loop.
 */
final class ConnectionGuard {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ConnectionGuard.class);
    private static final long WARN_EVERY_MS = 60_000;

    /** See the settings of the same names. */
    record Limits(int maxConnections, int maxPerAddress, Duration handshakeTimeout, Duration bodyTimeout) {}

    private final Vertx vertx;
    private final Limits limits;
    private final Proxies proxies;
    private final AtomicInteger open = new AtomicInteger();
    private final Map<String, Integer> perAddress = new ConcurrentHashMap<>(); // connections of direct peers
    private final Map<HttpConnection, Held> held = new ConcurrentHashMap<>();
    /** The body timer of each connection's request in progress (HTTP/1.1: one at a time per connection). */
    private final Map<HttpConnection, Long> awaitingBody = new ConcurrentHashMap<>();
    private final Map<String, Integer> sockets = new ConcurrentHashMap<>(); // open WebSockets per (forwarded) address
    private final AtomicLong lastWarned = new AtomicLong();

    ConnectionGuard(Vertx vertx, Limits limits, Proxies proxies) {
        this.vertx = vertx;
        this.limits = limits;
        this.proxies = proxies;
    }

    /** An accepted connection's place in the counts, given back once. */
    private final class Held {
        final String address; // null: not counted per address (a trusted proxy)
        final AtomicBoolean released = new AtomicBoolean();
        long handshakeTimer = -1;

        Held(String address) {
            this.address = address;
        }

        void release() {
            if (!released.compareAndSet(false, true)) return;
            open.decrementAndGet();
            if (address != null) perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
        }
    }

    /** Connections open now, HTTP and WebSocket. */
    int open() {
        return open.get();
    }

    /** A new connection: counted, or closed at once when the server or its address has its maximum. */
    void opened(HttpConnection connection) {
        String peer = connection.remoteAddress().hostAddress();
        if (open.incrementAndGet() > limits.maxConnections()) {
            open.decrementAndGet();
            refuse(connection, "{} connections are open (max-connections): new ones are closed at once", limits.maxConnections());
            return;
        }
        String address = proxies.trusts(peer) ? null : peer;
        if (address != null && !count(perAddress, address, limits.maxPerAddress())) {
            open.decrementAndGet();
            refuse(connection, "an address holds {} connections (max-connections-per-address): its next ones are closed at once",
                    limits.maxPerAddress());
            return;
        }
        Held h = new Held(address);
        h.handshakeTimer = vertx.setTimer(limits.handshakeTimeout().toMillis(), t -> {
            h.handshakeTimer = -1;
            connection.close();
        });
        held.put(connection, h);
        connection.closeHandler(v -> {
            Long bodyTimer = awaitingBody.remove(connection);
            if (bodyTimer != null) vertx.cancelTimer(bodyTimer);
            Held gone = held.remove(connection);
            if (gone == null) return;
            if (gone.handshakeTimer >= 0) vertx.cancelTimer(gone.handshakeTimer);
            gone.release();
        });
    }

    private void refuse(HttpConnection connection, String why, int limit) {
        connection.close();
        long now = System.currentTimeMillis();
        long last = lastWarned.get();
        if (now - last >= WARN_EVERY_MS && lastWarned.compareAndSet(last, now)) log.warn(why, limit);
    }

    /**
     * The connection sent a whole request head. Unless it is a WebSocket upgrade, its body must have
     * arrived within the body timeout, or the connection is closed.
     */
    void requested(HttpServerRequest request, boolean upgrade) {
        Held h = held.get(request.connection());
        if (h != null && h.handshakeTimer >= 0) {
            vertx.cancelTimer(h.handshakeTimer);
            h.handshakeTimer = -1;
        }
        if (upgrade) return;
        HttpConnection connection = request.connection();
        long[] timer = {0};
        timer[0] = vertx.setTimer(limits.bodyTimeout().toMillis(), t -> {
            if (awaitingBody.remove(connection, timer[0]) && !request.isEnded()) connection.close();
        });
        Long previous = awaitingBody.put(connection, timer[0]); // its request has ended, or this one would not have come
        if (previous != null) vertx.cancelTimer(previous);
    }

    /**
     * The handler reads this request's body as a stream and bounds its pauses itself: no deadline for the
     * whole. (Routers wrap the request: the connection is what stays the same.)
     */
    void bodyStreamed(HttpServerRequest request) {
        Long timer = awaitingBody.remove(request.connection());
        if (timer != null) vertx.cancelTimer(timer);
    }

    /**
     * The connection became a WebSocket: Vert.x no longer reports its closing to the connection, so the
     * returned action gives its place back and must run when the socket closes.
     */
    Runnable upgraded(HttpConnection connection) {
        Held h = held.remove(connection);
        return h == null ? () -> {} : h::release;
    }

    /** Counts a WebSocket from {@code address}; false (and nothing counted) when it has its maximum. */
    boolean tryOpenSocket(String address) {
        return count(sockets, address, limits.maxPerAddress());
    }

    void socketClosed(String address) {
        sockets.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    }

    private static boolean count(Map<String, Integer> counts, String address, int max) {
        boolean[] counted = {false};
        counts.compute(address, (a, n) -> {
            int now = n == null ? 0 : n;
            if (now >= max) return n;
            counted[0] = true;
            return now + 1;
        });
        return counted[0];
    }
}
