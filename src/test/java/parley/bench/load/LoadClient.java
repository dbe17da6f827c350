package parley.bench.load;

import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.function.Consumer;

/**
 * One simulated user of a chat server, whatever its protocol: it joins a room, sends text into it, and
 * hands every text it receives from the room to a consumer; in a call it sends signals to one other
 * client. Implementations are non-blocking: each runs on one Vert.x event loop ({@link #context()}) and
 * must only be called from it.
 */
interface LoadClient {
    /** Connections that closed without this generator closing them: a scenario's figures are void if any did. */
    java.util.concurrent.atomic.AtomicLong DROPPED = new java.util.concurrent.atomic.AtomicLong();

    /** Closes each client on its own event loop (so that their closes are not counted as dropped). */
    static void closeAll(java.util.List<LoadClient> clients) {
        clients.forEach(c -> c.context().runOnContext(v -> c.close()));
    }

    /** Counts and reports (the first few) closes this generator did not ask for. */
    static void watchClose(io.vertx.core.http.WebSocket ws, java.util.function.BooleanSupplier closing, String who) {
        ws.closeHandler(v -> {
            if (closing.getAsBoolean()) return;
            if (DROPPED.incrementAndGet() <= 3) {
                System.err.println("connection " + who + " dropped: close code " + ws.closeStatusCode() + " " + ws.closeReason());
            }
        });
    }

    /** The event loop this client lives on. */
    Context context();

    /** How the server addresses this client (Parley's session id, Socket.IO's socket id). */
    String id();

    Future<Void> join(String room);

    /** Sends text to the room; the future completes when the server acknowledged it. */
    Future<Void> send(String room, String text);

    /** Called on the client's event loop with the raw frame of each message delivered to it. */
    void onMessage(Consumer<String> frame);

    /** Joins the room's call, where signals may be sent (Socket.IO has no calls: nothing to do). */
    Future<Void> callJoin(String room);

    /** Sends a call signal carrying {@code text} to the client {@code to} in the same room's call; no ack. */
    void signal(String room, String to, String text);

    /** Called on the client's event loop with the raw frame of each signal delivered to it. */
    void onSignal(Consumer<String> frame);

    void close();
}
