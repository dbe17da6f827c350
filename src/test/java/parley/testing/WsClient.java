package parley.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real WebSocket client that records every frame it receives, for tests. {@link #expect} reads the
 * frames in order, skipping (but keeping in {@link #received()}) those that do not match.
 */
public final class WsClient implements AutoCloseable {
    public static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final WebSocket ws;
    private final BlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
    private final List<JsonNode> received = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final String cookie;
    private String sessionId;
    private String userId;

    private WsClient(int port, String cookie) {
        this.cookie = cookie;
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(WAIT);
        if (cookie != null) builder.header("Cookie", cookie);
        ws = builder.buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), new Listener())
                .orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS)
                .join();
    }

    /** Opens a socket with {@code cookie} (a {@code Cookie} header value; null: none), without saying hello. */
    public static WsClient connect(int port, String cookie) {
        return new WsClient(port, cookie);
    }

    /** Connects as the account of {@code name} (signed up on first use: {@link TestAccounts}) and says hello. */
    public static WsClient hello(int port, String name) {
        return withCookie(port, TestAccounts.cookie(port, name), null);
    }

    /** As {@link #hello(int, String)}, asking to resume the session {@code resume} (null: none). */
    public static WsClient hello(int port, String name, String resume) {
        return withCookie(port, TestAccounts.cookie(port, name), resume);
    }

    /** Connects with the session {@code cookie} and says hello, resuming {@code resume} (null: none). */
    public static WsClient withCookie(int port, String cookie, String resume) {
        WsClient c = new WsClient(port, cookie);
        ObjectNode hello = JSON.createObjectNode().put("type", "hello");
        if (resume != null) hello.put("resume", resume);
        c.send(hello);
        JsonNode welcome = c.expect("welcome");
        c.sessionId = welcome.get("sessionId").asText();
        c.userId = welcome.get("userId").asText();
        return c;
    }

    public String sessionId() {
        return sessionId;
    }

    public String userId() {
        return userId;
    }

    /** The session cookie this socket was opened with ({@code parley_session=...}). */
    public String cookie() {
        return cookie;
    }

    public void sendRaw(String frame) {
        ws.sendText(frame, true).join();
    }

    public void sendBinary(byte[] data) {
        ws.sendBinary(ByteBuffer.wrap(data), true).join();
    }

    public void send(JsonNode message) {
        sendRaw(message.toString());
    }

    /**
     * Sends {@code type} with these fields and a fresh {@code ref}, and waits for the reply that carries it
     * (the reply named in the protocol, or an {@code error}).
     */
    public JsonNode ask(String type, Object... fields) {
        String ref = "q-" + System.nanoTime();
        Object[] all = java.util.Arrays.copyOf(fields, fields.length + 2);
        all[fields.length] = "ref";
        all[fields.length + 1] = ref;
        send(type, all);
        return expect(m -> ref.equals(m.path("ref").asText()), "the reply to " + type);
    }

    /** Builds a message from alternating keys and values: {@code send("join", "room", id)}. */
    public void send(String type, Object... fields) {
        send(message(type, fields));
    }

    /** Creates a room; returns its id. */
    public String createRoom(String name, boolean isPrivate) {
        return ask("create_room", "name", name, "private", isPrivate).at("/room/id").asText();
    }

    public static ObjectNode message(String type, Object... fields) {
        ObjectNode m = JSON.createObjectNode().put("type", type);
        for (int i = 0; i < fields.length; i += 2) m.set((String) fields[i], JSON.valueToTree(fields[i + 1]));
        return m;
    }

    /** The next frame, whatever it is. */
    public JsonNode next() {
        try {
            JsonNode m = inbox.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (m == null) throw new AssertionError("no frame within " + WAIT + "; " + lastReceived());
            return m;
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The next frame, or null if none arrives in time. */
    public JsonNode poll(Duration timeout) {
        try {
            return inbox.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    public JsonNode expect(Predicate<JsonNode> match, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                JsonNode m = inbox.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (m != null && match.test(m)) return m;
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        throw new AssertionError("no " + what + " within " + WAIT + "; " + lastReceived());
    }

    public JsonNode expect(String type) {
        return expect(m -> type.equals(m.path("type").asText()), type);
    }

    public JsonNode expectError(String code) {
        JsonNode e = expect("error");
        assertThat(e.get("code").asText()).as("error code of " + e).isEqualTo(code);
        return e;
    }

    /** The last few frames received, shortened, for failure messages. */
    private String lastReceived() {
        List<JsonNode> all = received();
        List<String> tail = all.subList(Math.max(0, all.size() - 5), all.size()).stream()
                .map(m -> m.toString().length() > 300 ? m.toString().substring(0, 300) + "..." : m.toString()).toList();
        return all.size() + " frames received, the last ones: " + tail;
    }

    /** Sends a ping and waits for its pong: everything the server sent before it has arrived. */
    public void sync() {
        String ref = "sync-" + System.nanoTime();
        send("ping", "ref", ref);
        expect(m -> "pong".equals(m.path("type").asText()) && ref.equals(m.path("ref").asText()), "pong " + ref);
    }

    /** A position in {@link #received()}, for {@link #receivedSince}. */
    public int mark() {
        return received.size();
    }

    /** Frames of this type received after {@code mark}, once a round trip has flushed everything sent before. */
    public List<JsonNode> receivedSince(int mark, String type) {
        sync();
        List<JsonNode> all = received();
        return all.subList(mark, all.size()).stream().filter(m -> type.equals(m.path("type").asText())).toList();
    }

    public List<JsonNode> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    public List<JsonNode> received(String type) {
        return received().stream().filter(m -> type.equals(m.path("type").asText())).toList();
    }

    /** The close code the server sent, waiting for it. */
    public int closeCode() {
        return closed.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    /** Drops the TCP connection without a close handshake, like a network failure. */
    public void abort() {
        ws.abort();
    }

    @Override
    public void close() {
        if (!ws.isOutputClosed()) {
            try {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                ws.abort();
            }
        }
        ws.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    JsonNode m = JSON.readTree(partial.toString());
                    received.add(m);
                    inbox.add(m);
                } catch (Exception e) {
                    closed.completeExceptionally(new AssertionError("server sent bad JSON: " + partial, e));
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
        }
    }
}
