package parley.bench.load;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Speaks Parley's protocol (docs/protocol.md). Frames are classified by their prefix rather than
 * parsed, so that the generator spends its CPU on the sockets, not on JSON.
 */
final class ParleyClient implements LoadClient {
    private final WebSocket ws;
    private final ArrayDeque<Promise<Void>> acks = new ArrayDeque<>(); // sends are acked in order
    private Promise<Void> joined;
    private Consumer<String> onMessage = f -> {};
    private long nextId;
    private final String prefix;

    private ParleyClient(WebSocket ws, String prefix) {
        this.ws = ws;
        this.prefix = prefix;
        ws.textMessageHandler(this::onFrame);
    }

    static Future<LoadClient> connect(WebSocketClient client, int port, String name) {
        return client.connect(port, "127.0.0.1", "/ws").compose(ws -> {
            Promise<LoadClient> ready = Promise.promise();
            ws.textMessageHandler(frame -> {
                if (frame.startsWith("{\"type\":\"welcome\"")) ready.tryComplete(new ParleyClient(ws, name));
                else ready.tryFail("expected welcome, got " + frame);
            });
            ws.writeTextMessage("{\"type\":\"hello\",\"name\":\"" + name + "\"}");
            return ready.future();
        });
    }

    private void onFrame(String frame) {
        if (frame.startsWith("{\"type\":\"message\"")) {
            onMessage.accept(frame);
        } else if (frame.startsWith("{\"type\":\"ack\"")) {
            Promise<Void> p = acks.poll();
            if (p != null) p.complete();
        } else if (frame.startsWith("{\"type\":\"joined\"")) {
            if (joined != null) joined.tryComplete();
        } else if (frame.startsWith("{\"type\":\"error\"")) {
            Promise<Void> p = acks.poll();
            if (p != null) p.fail(frame);
            else if (joined != null) joined.tryFail(frame);
        }
    }

    @Override
    public Future<Void> join(String room) {
        joined = Promise.promise();
        ws.writeTextMessage("{\"type\":\"join\",\"room\":\"" + room + "\"}");
        return joined.future();
    }

    @Override
    public Future<Void> send(String room, String text) {
        Promise<Void> acked = Promise.promise();
        acks.add(acked);
        ws.writeTextMessage("{\"type\":\"send\",\"room\":\"" + room + "\",\"clientId\":\"" + prefix + "-" + nextId++
                + "\",\"text\":\"" + text + "\"}");
        return acked.future();
    }

    @Override
    public void onMessage(Consumer<String> frame) {
        this.onMessage = frame;
    }

    @Override
    public void close() {
        ws.close();
    }
}
