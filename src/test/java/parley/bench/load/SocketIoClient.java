package parley.bench.load;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Speaks the Socket.IO 4 wire protocol (Engine.IO 4 over a WebSocket) to the reference server in
 * bench/socketio: {@code 0} open, {@code 40} connect, {@code 42[event,data]} events,
 * {@code 42<id>[...]} events with an ack that comes back as {@code 43<id>[...]}, ping {@code 2} and pong {@code 3}.
 */
final class SocketIoClient implements LoadClient {
    private final WebSocket ws;
    private final Map<Long, Promise<Void>> acks = new HashMap<>();
    private Consumer<String> onMessage = f -> {};
    private long nextAck;

    private SocketIoClient(WebSocket ws) {
        this.ws = ws;
        ws.textMessageHandler(this::onFrame);
    }

    static Future<LoadClient> connect(WebSocketClient client, int port) {
        return client.connect(port, "127.0.0.1", "/socket.io/?EIO=4&transport=websocket").compose(ws -> {
            Promise<LoadClient> ready = Promise.promise();
            ws.textMessageHandler(frame -> {
                if (frame.startsWith("0{")) ws.writeTextMessage("40");
                else if (frame.startsWith("40")) ready.tryComplete(new SocketIoClient(ws));
                else ready.tryFail("unexpected Socket.IO frame " + frame);
            });
            return ready.future();
        });
    }

    private void onFrame(String frame) {
        if (frame.startsWith("42[\"message\"")) {
            onMessage.accept(frame);
        } else if (frame.startsWith("43")) {
            int end = frame.indexOf('[');
            Promise<Void> p = acks.remove(Long.parseLong(frame.substring(2, end)));
            if (p != null) p.complete();
        } else if (frame.equals("2")) {
            ws.writeTextMessage("3");
        }
    }

    private Future<Void> emit(String event, String json) {
        long id = nextAck++;
        Promise<Void> acked = Promise.promise();
        acks.put(id, acked);
        ws.writeTextMessage("42" + id + "[\"" + event + "\"," + json + "]");
        return acked.future();
    }

    @Override
    public Future<Void> join(String room) {
        return emit("join", "\"" + room + "\"");
    }

    @Override
    public Future<Void> send(String room, String text) {
        return emit("send", "{\"room\":\"" + room + "\",\"text\":\"" + text + "\"}");
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
