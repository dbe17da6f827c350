package parley.bench.load;

import io.vertx.core.Future;
import java.util.function.Consumer;

/**
 * One simulated user of a chat server, whatever its protocol: it joins a room, sends text into it, and
 * hands every text it receives from the room to a consumer. Implementations are non-blocking: each
 * runs on one Vert.x event loop and must only be called from it.
 */
interface LoadClient {
    Future<Void> join(String room);

    /** Sends text to the room; the future completes when the server acknowledged it. */
    Future<Void> send(String room, String text);

    /** Called on the client's event loop with the raw frame of each message delivered to it. */
    void onMessage(Consumer<String> frame);

    void close();
}
