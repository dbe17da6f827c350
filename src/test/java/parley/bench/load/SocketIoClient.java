package parley.bench.load;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Speaks the Socket.IO 4 wire protocol (Engine.IO 4 over a WebSocket) to the reference server in
 * bench/socketio: {@code 0} open, {@code 40} connect, {@code 42[event,data]} events,
 * {@code 42<id>[...]} events with an ack that comes back as {@code 43<id>[...]}, ping {@code 2} and pong {@code 3}.
 * The connect reply {@code 40{"sid":...}} names the socket, which is also the room that reaches it alone.
 */
final class SocketIoClient implements LoadClient {
    private static final String SID = "\"sid\":\"";

    private final WebSocket ws;
    private final Context context;
    private final String sid;
    private final Map<Long, Promise<Void>> acks = new HashMap<>();
    private Consumer<String> onMessage = f -> {};
    private Consumer<String> onSignal = f -> {};
    private long nextAck;
    private boolean closing;

    private SocketIoClient(WebSocket ws, String sid) {
        this.ws = ws;
        this.context = Vertx.currentContext();
        this.sid = sid;
        ws.textMessageHandler(this::onFrame);
        LoadClient.watchClose(ws, () -> closing, sid);
    }

    static Future<LoadClient> connect(WebSocketClient client, int port) {
        return client.connect(port, "127.0.0.1", "/socket.io/?EIO=4&transport=websocket").compose(ws -> {
            Promise<LoadClient> ready = Promise.promise();
            ws.textMessageHandler(frame -> {
                if (frame.startsWith("0{")) ws.writeTextMessage("40");
                else if (frame.startsWith("40{")) {
                    int at = frame.indexOf(SID) + SID.length();
                    ready.tryComplete(new SocketIoClient(ws, frame.substring(at, frame.indexOf('"', at))));
                }
                else ready.tryFail("unexpected Socket.IO frame " + frame);
            });
            return ready.future();
        });
    }

    private void onFrame(String frame) {
        if (frame.startsWith("42[\"message\"")) {
            onMessage.accept(frame);
        } else if (frame.startsWith("42[\"signal\"")) {
            onSignal.accept(frame);
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
    public Context context() {
        return context;
    }

    @Override
    public String id() {
        return sid;
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
    public Future<Void> callJoin(String room) {
        return Future.succeededFuture();
    }

    @Override
    public void signal(String room, String to, String text) {
        ws.writeTextMessage("42[\"signal\",{\"room\":\"" + room + "\",\"to\":\"" + to + "\",\"text\":\"" + text + "\"}]");
    }

    @Override
    public void onSignal(Consumer<String> frame) {
        this.onSignal = frame;
    }

    @Override
    public void close() {
        closing = true;
        ws.close();
    }
}
