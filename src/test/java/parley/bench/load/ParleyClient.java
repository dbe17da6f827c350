package parley.bench.load;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import parley.testing.TestAccounts;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Speaks Parley's protocol (docs/protocol.md). Frames are classified by their prefix rather than
 * parsed, so that the generator spends its CPU on the sockets, not on JSON.
 */
final class ParleyClient implements LoadClient {
    private static final String SESSION_ID = "\"sessionId\":\"";
    /** The account every load client uses; the first on a fresh server, so its admin. */
    static final String BENCH_ACCOUNT = "bench";

    private final WebSocket ws;
    private final Context context;
    private final String sessionId;
    private final ArrayDeque<Promise<Void>> acks = new ArrayDeque<>(); // sends are acked in order
    private Promise<Void> joined;
    private Promise<Void> callJoined;
    private Consumer<String> onMessage = f -> {};
    private Consumer<String> onSignal = f -> {};
    private long nextId;
    private boolean closing;
    private final String prefix;

    private ParleyClient(WebSocket ws, String prefix, String sessionId) {
        this.ws = ws;
        this.context = Vertx.currentContext();
        this.prefix = prefix;
        this.sessionId = sessionId;
        ws.textMessageHandler(this::onFrame);
        LoadClient.watchClose(ws, () -> closing, sessionId);
    }

    /** The session of this process's clients, per server port. */
    private static final Map<Integer, String> COOKIES = new ConcurrentHashMap<>();

    /**
     * Connects a client with the session of the bench account. All clients of a process share one account
     * and one session (as a person's tabs share a cookie): signing up thousands of accounts would spend
     * minutes of Argon2 before the measurement, and each socket still has its session checked at the
     * upgrade. {@code name} only makes the client ids of its sends unique. The first call per server
     * signs in over HTTP, blocking: call it from the main thread, not an event loop.
     */
    static Future<LoadClient> connect(WebSocketClient client, int port, String name) {
        String cookie = cookie(port);
        WebSocketConnectOptions options = new WebSocketConnectOptions().setPort(port).setHost("127.0.0.1").setURI("/ws")
                .addHeader("Cookie", cookie);
        return client.connect(options).compose(ws -> {
            Promise<LoadClient> ready = Promise.promise();
            ws.textMessageHandler(frame -> {
                if (frame.startsWith("{\"type\":\"welcome\"")) {
                    int at = frame.indexOf(SESSION_ID) + SESSION_ID.length();
                    ready.tryComplete(new ParleyClient(ws, name, frame.substring(at, frame.indexOf('"', at))));
                } else {
                    ready.tryFail("expected welcome, got " + frame);
                }
            });
            ws.writeTextMessage("{\"type\":\"hello\"}");
            return ready.future();
        });
    }

    /** The session cookie of the bench account on the server at {@code port}, signing in (once per process) if needed. */
    static String cookie(int port) {
        return COOKIES.computeIfAbsent(port, p -> TestAccounts.cookie(p, BENCH_ACCOUNT));
    }

    private void onFrame(String frame) {
        if (frame.startsWith("{\"type\":\"message\"")) {
            onMessage.accept(frame);
        } else if (frame.startsWith("{\"type\":\"signal\"")) {
            onSignal.accept(frame);
        } else if (frame.startsWith("{\"type\":\"ack\"")) {
            Promise<Void> p = acks.poll();
            if (p != null) p.complete();
        } else if (frame.startsWith("{\"type\":\"joined\"")) {
            if (joined != null) joined.tryComplete();
        } else if (frame.startsWith("{\"type\":\"call_joined\"")) {
            if (callJoined != null) callJoined.tryComplete();
        } else if (frame.startsWith("{\"type\":\"error\"")) {
            Promise<Void> p = acks.poll();
            if (p != null) p.fail(frame);
            else if (callJoined != null && !callJoined.future().isComplete()) callJoined.fail(frame);
            else if (joined != null) joined.tryFail(frame);
        }
    }

    @Override
    public Context context() {
        return context;
    }

    @Override
    public String id() {
        return sessionId;
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
    public Future<Void> callJoin(String room) {
        callJoined = Promise.promise();
        ws.writeTextMessage("{\"type\":\"call_join\",\"room\":\"" + room + "\"}");
        return callJoined.future();
    }

    /** An ICE candidate as a browser would send it, with the text in its foundation field. */
    @Override
    public void signal(String room, String to, String text) {
        ws.writeTextMessage("{\"type\":\"signal\",\"room\":\"" + room + "\",\"to\":\"" + to
                + "\",\"candidate\":{\"candidate\":\"candidate:" + text
                + " 1 udp 2122260223 192.0.2.7 50000 typ host\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0}}");
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
