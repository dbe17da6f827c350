package parley.transport;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;
import parley.bus.LocalBus;
import parley.protocol.Codec;
import parley.protocol.ServerMessage;
import parley.room.MemoryStore;
import parley.room.Hub;
import parley.room.Fact;
import parley.room.RoomId;
import parley.room.RoomInfo;
import parley.room.UserId;

/**
 * Connections to one server, driven by a script that the fuzzer writes: each frame goes through
 * {@link WsSession} (reassembly, decoding, dispatch) to a real {@link Hub} over an in-memory store, and
 * every frame the server writes is checked against what its connection may receive.
 *
 * <p>The script is text, one step per line, at most {@value #MAX_STEPS} steps; other lines are skipped:
 * <ul>
 *   <li>{@code N {...}}: connection N (0 to 3) sends the rest of the line as one text message, or with
 *       {@code N/K {...}} in K frames (1 to 4). A connection that is not open is opened first.
 *   <li>{@code N close} or {@code N close CODE}: connection N's socket closes without a close frame (the
 *       network failed), or with CODE.
 *   <li>{@code grace}: the call-grace period of the earliest drop still pending ends.
 *   <li>{@code upload N}: the bytes of the Nth file acknowledged reach the server, as RoomFiles records them.
 *   <li>{@code store down}, {@code store up}: the store fails every append, or works again.
 * </ul>
 * Connections sign in as {@link #PEOPLE} say. In a frame, {@code $sN} stands for the session id that
 * connection N was last welcomed with, {@code $rN} for the Nth room (general, random, then those created),
 * {@code $fN} for the Nth file id acknowledged.
 *
 * <p>Each step runs to its end on the test's thread (a fake event loop), so every frame written in a step
 * was caused by it. After each step: no bug was reported (an {@code internal} error, an error logged, an
 * exception); a refused request got its error and nothing else went to anyone, and no room changed; a
 * connection gets a room's events only while it is in the room, and a call's signals only while it is in
 * the call; what is relayed carries the identity of whoever caused it; a message (room and seq) is the same
 * for everyone who sees it, and a connection sees a room's messages in increasing order; a socket whose
 * session another connection resumed is closed by its next frame, which changes nothing.
 *
 * <p>A plain test run replays the scripts under {@code WsSessionFuzzTestInputs/}; {@code JAZZER_FUZZ=1}
 * fuzzes (docs/security.md).
 */
class WsSessionFuzzTest {
    static final int MAX_STEPS = 64;
    private static final int MAX_FRAME_BYTES = 2048;
    /** maxTextChars 40, history pages of 3 (5 at most), catch-up of 3 messages, calls of 3 people. */
    private static final Hub.Limits LIMITS = new Hub.Limits(40, 3, 5, 3, 3);
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(1_764_000_000_000L), ZoneOffset.UTC);
    private static final Codec CODEC = new Codec();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$([srf])(\\d)");
    /**
     * Who signed in on each connection: connections 0 and 2 are the same person (two tabs, two sessions), so
     * a resume across them is allowed, and any other across connections is not.
     */
    private static final WsSession.Who[] PEOPLE = {
        new WsSession.Who(new UserId("u_ada"), "Ada", "k_ada_0", false, Long.MAX_VALUE), new WsSession.Who(new UserId("u_grace"), "Grace", "k_grace", false, Long.MAX_VALUE),
        new WsSession.Who(new UserId("u_ada"), "Ada", "k_ada_2", false, Long.MAX_VALUE), new WsSession.Who(new UserId("u_linus"), "Linus", "k_linus", false, Long.MAX_VALUE)};
    /** Only links are asked for here (no upload completes), which need neither Vert.x nor the hub. */
    private static final RoomFiles FILES = new RoomFiles(null, tempDir(), null, null, null, CLOCK, java.time.Duration.ofSeconds(5));

    /** What the server logs at ERROR (or JUL SEVERE): each is a bug it caught. */
    private static final List<String> ERRORS = new CopyOnWriteArrayList<>();
    private static final java.util.logging.Logger JUL_PARLEY = java.util.logging.Logger.getLogger("parley");

    static {
        var appender = new AppenderBase<ILoggingEvent>() {
            @Override
            protected void append(ILoggingEvent e) {
                if (e.getLevel().isGreaterOrEqual(Level.ERROR)) ERRORS.add(e.getLoggerName() + ": " + e.getFormattedMessage());
            }
        };
        appender.start();
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(appender);
        JUL_PARLEY.addHandler(new java.util.logging.Handler() { // the room logs through System.Logger
            @Override
            public void publish(java.util.logging.LogRecord r) {
                if (r.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue()) ERRORS.add(r.getLoggerName() + ": " + r.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        });
    }

    @FuzzTest
    void connections_get_only_what_their_rooms_and_calls_allow(byte[] script) {
        ERRORS.clear();
        try (Server server = new Server()) {
            server.run(new String(script, StandardCharsets.UTF_8));
        }
    }

    private enum Kind { FRAME, CLOSE, GRACE, UPLOAD }

    /**
     * One line of the script being checked: who acted (sent the frame, closed, or, for {@link Kind#GRACE},
     * dropped the connection whose grace ends), and for a frame, its {@code type} if it has one.
     */
    private record Step(int number, String line, Kind kind, Connection actor, String type) {}

    /** A call-grace timer the server set when {@code dropped} closed. */
    private record Timer(Connection dropped, Handler<Long> handler) {}

    /** No rate limit, and a hello timeout that never fires: the scripts drive what they test. */
    private static final WebServer.Guards GUARDS = new WebServer.Guards(List.of(), 1_000_000, 1_000_000, 1_000_000, 1_000_000,
            1_000_000, Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofHours(1), Duration.ZERO, List.of());

    /** One server and its connections, for one script. */
    private static final class Server implements AutoCloseable {
        final MemoryStore store = new MemoryStore();
        final Hub hub;
        final Services services;
        final Deque<Runnable> loop = new ArrayDeque<>(); // the fake event loop's tasks
        final Deque<Timer> timers = new ArrayDeque<>(); // call-grace timers, earliest first
        final Context context;
        final LoopOutbox outbox;
        final Connection[] slots = new Connection[4];
        final Connection[] welcomedIn = new Connection[4]; // the last connection of each slot that was welcomed
        final List<Connection> connections = new ArrayList<>();
        final List<String> rooms = new ArrayList<>(List.of("r_general", "r_random"));
        final List<String> files = new ArrayList<>();
        /** Every message seen, by "room#seq": what everyone must see for it. */
        final Map<String, List<String>> messages = new HashMap<>();
        Step step;
        int welcomes;

        Server() {
            store.addRoom("r_general", "general");
            store.addRoom("r_random", "random");
            for (WsSession.Who who : PEOPLE) store.addPerson(who.userId().value(), who.name());
            hub = Hub.open(store, new LocalBus<Fact>(), LIMITS, CLOCK);
            IceServers ice = new IceServers(List.of("stun:stun.example.org:3478"), List.of("turn:turn.example.org:3478"), "secret", 3600, false, CLOCK);
            services = new Services(hub, CODEC, new Wire(CODEC, ice), MAX_FRAME_BYTES, 1 << 20, ice,
                    Duration.ofSeconds(30), new ServerMessage.Limits(MAX_FRAME_BYTES, LIMITS.maxTextChars(), LIMITS.historyPageMax(), LIMITS.catchupMax(), 1_000_000, 1_000_000, LIMITS.unreadCountMax()),
                    FILES, 1 << 20, GUARDS);
            Vertx vertx = fake(Vertx.class, Map.of("setTimer", a -> {
                if ((Long) a[0] == GUARDS.helloTimeout().toMillis()) return -1L; // hello timeouts are not scripted
                timers.add(new Timer(step.actor(), cast(a[1])));
                return (long) timers.size();
            }, "cancelTimer", a -> true));
            context = fake(Context.class, Map.of(
                    "runOnContext", a -> {
                        Handler<Void> task = cast(a[0]);
                        loop.add(() -> task.handle(null));
                        return null;
                    },
                    "owner", a -> vertx));
            outbox = new LoopOutbox(context);
        }

        void run(String script) {
            int steps = 0;
            for (String line : script.split("\n", -1)) {
                if (steps == MAX_STEPS) break;
                if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
                List<RoomInfo> before = hub.rooms();
                step = perform(steps + 1, line);
                if (step == null) continue;
                steps++;
                runLoop();
                check(before);
            }
        }

        /** Does what the line says; null when it says nothing this script knows. */
        private Step perform(int number, String line) {
            switch (line) {
                case "grace" -> {
                    Timer due = timers.poll();
                    if (due == null) return null;
                    loop.add(() -> due.handler().handle(0L));
                    return new Step(number, line, Kind.GRACE, due.dropped(), null);
                }
                case "store down" -> {
                    store.failAppends();
                    return null;
                }
                case "store up" -> {
                    store.appendsWork();
                    return null;
                }
                default -> { }
            }
            if (line.startsWith("upload ") && line.length() == 8 && Character.isDigit(line.charAt(7))) {
                int n = line.charAt(7) - '0';
                if (n >= files.size()) return null;
                String id = files.get(n);
                var file = hub.file(id).join();
                if (file == null || file.meta().stored() || !hub.fileStored(file).join()) return null;
                return new Step(number, line, Kind.UPLOAD, null, null);
            }
            if (line.length() < 3 || line.charAt(0) < '0' || line.charAt(0) > '3') return null;
            int slot = line.charAt(0) - '0';
            int at = 1;
            int pieces = 1;
            if (line.charAt(1) == '/' && line.length() > 4 && line.charAt(2) >= '1' && line.charAt(2) <= '4') {
                pieces = line.charAt(2) - '0';
                at = 3;
            }
            if (line.charAt(at) != ' ') return null;
            String rest = line.substring(at + 1);
            Connection c = slots[slot];
            if (rest.equals("close") || rest.startsWith("close ")) {
                if (c == null || c.closed) return null;
                c.close(closeCode(rest.substring(5).strip()));
                return new Step(number, line, Kind.CLOSE, c, null);
            }
            String frame = substitute(rest);
            if (c == null || c.closed) {
                c = new Connection(this, slot);
                slots[slot] = c;
                connections.add(c);
            }
            c.send(frame, pieces);
            return new Step(number, line, Kind.FRAME, c, typeOf(frame));
        }

        private static Short closeCode(String s) {
            try {
                return s.isEmpty() ? null : Short.valueOf(s);
            } catch (NumberFormatException e) {
                return null;
            }
        }

        private String substitute(String frame) {
            Matcher m = PLACEHOLDER.matcher(frame);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                int n = m.group(2).charAt(0) - '0';
                Connection c = n < welcomedIn.length ? welcomedIn[n] : null;
                String value = switch (m.group(1)) {
                    case "s" -> c == null || c.sessionId == null ? "s_none" : c.sessionId;
                    case "r" -> n < rooms.size() ? rooms.get(n) : "r_none";
                    default -> n < files.size() ? files.get(n) : "f_none";
                };
                m.appendReplacement(out, Matcher.quoteReplacement(value));
            }
            return m.appendTail(out).toString();
        }

        private static String typeOf(String frame) {
            try {
                JsonNode type = JSON.readTree(frame).path("type");
                return type.isTextual() ? type.asText() : null;
            } catch (JsonProcessingException | RuntimeException e) {
                return null;
            }
        }

        /** Runs the event loop until it has nothing left to do; an exception there fails the test. */
        void runLoop() {
            for (int n = 0; !loop.isEmpty(); n++) {
                if (n > 100_000) throw new AssertionError(where() + "the event loop never runs out of tasks");
                loop.poll().run();
            }
        }

        private String where() {
            return "step " + step.number() + " (" + abbreviate(step.line()) + "): ";
        }

        // ---- the checks --------------------------------------------------------------------------

        private void check(List<RoomInfo> before) {
            assertThat(ERRORS).as(where() + "errors logged").isEmpty();
            Map<Connection, List<JsonNode>> got = new HashMap<>();
            int total = 0;
            boolean refused = false;
            for (Connection c : connections) {
                List<JsonNode> frames = c.newFrames();
                got.put(c, frames);
                total += frames.size();
                for (JsonNode f : frames) {
                    if (!f.path("type").asText().equals("error")) continue;
                    assertThat(f.path("code").asText()).as(where() + "an error for a bug: " + f).isNotEqualTo("internal");
                    assertThat(c).as(where() + "an error to a connection that did not ask: " + f).isSameAs(step.actor());
                    assertThat(step.kind()).as(where() + "an error when nothing was asked: " + f).isEqualTo(Kind.FRAME);
                    refused = true;
                }
            }
            if (step.kind() == Kind.FRAME && superseded(step.actor())) {
                assertThat(total).as(where() + "frames sent for a socket whose session was resumed elsewhere").isZero();
                assertThat(hub.rooms()).as(where() + "rooms after a frame from a socket whose session was resumed elsewhere").isEqualTo(before);
                assertThat(step.actor().closeCode).as(where() + "the close of a socket whose session was resumed elsewhere").isEqualTo((short) 4001);
                return;
            }
            if (refused) {
                assertThat(total).as(where() + "frames sent for a refused request: " + got.values()).isEqualTo(1);
                assertThat(hub.rooms()).as(where() + "rooms after a refused request").isEqualTo(before);
                return;
            }
            // The actor's frames first: its welcome tells who it is before others hear from it.
            if (step.actor() != null) got.get(step.actor()).forEach(f -> check(step.actor(), f));
            for (Connection c : connections) {
                if (c != step.actor()) got.get(c).forEach(f -> check(c, f));
            }
            if (step.kind() == Kind.FRAME && "send".equals(step.type()) && got.get(step.actor()).stream()
                    .anyMatch(f -> f.path("type").asText().equals("ack") && f.path("duplicate").asBoolean())) {
                assertThat(got.values().stream().flatMap(List::stream).filter(f -> f.path("type").asText().equals("message")))
                        .as(where() + "a message delivered again for a duplicate send").isEmpty();
            }
        }

        private void check(Connection c, JsonNode f) {
            String type = f.path("type").asText();
            String room = f.path("room").isObject() ? f.path("room").path("id").asText() : f.path("room").asText(null);
            Connection actor = step.actor();
            if (c.sessionId == null) {
                assertThat(type).as(where() + "a frame before the welcome: " + f).isEqualTo("welcome");
            }
            switch (type) {
                case "welcome" -> {
                    fromActor(c, f);
                    c.welcomed(f, connections);
                }
                case "pong", "rooms", "ice_servers", "users", "members" -> fromActor(c, f);
                case "room_added" -> {
                    boolean keptForAResume = "hello".equals(step.type()) && c == actor;
                    if (!keptForAResume) {
                        assertThat(step.type()).as(where() + "a room added when none was created or given: " + f)
                                .isIn("create_room", "direct", "invite");
                    }
                    if (c == actor) rooms.add(room);
                    else assertThat(f.at("/room/kind").asText()).as(where() + "another's room, seen: " + f).isIn("public", "direct", "private");
                }
                case "member" -> {
                    if (c != actor) in(c, room, f);
                    byActor(f.path("by"), f);
                }
                case "removed" -> {
                    if (c != actor) {
                        assertThat(step.type()).as(where() + "removed from a room by no one: " + f).isIn("kick", "ban", "quit", "delete_room");
                        byActor(f.path("by"), f);
                    }
                    c.rooms.remove(room);
                    c.calls.remove(room);
                }
                case "joined" -> {
                    fromActor(c, f);
                    c.rooms.add(room);
                    c.lastSeq.remove(room);
                }
                case "left" -> {
                    fromActor(c, f);
                    c.rooms.remove(room);
                    c.calls.remove(room);
                }
                case "call_joined" -> {
                    fromActor(c, f);
                    in(c, room, f);
                    c.calls.add(room);
                }
                case "call_left" -> {
                    fromActor(c, f);
                    in(c, room, f);
                    c.calls.remove(room);
                }
                case "call" -> {
                    in(c, room, f);
                    boolean inCall = false;
                    for (JsonNode p : f.path("participants")) inCall |= p.path("sessionId").asText().equals(c.sessionId);
                    if (inCall) c.calls.add(room);
                    else c.calls.remove(room);
                }
                case "presence" -> {
                    in(c, room, f);
                    notAbout(c, f.path("member"), f);
                    boolean removedByActor = "leave".equals(f.path("event").asText()) && ("kick".equals(step.type()) || "ban".equals(step.type()));
                    if (removedByActor) {
                        assertThat(f.at("/member/userId").asText()).as(where() + "the remover left: " + f).isNotEqualTo(actor.userId);
                    } else {
                        causedBy(f.path("member"), f);
                    }
                }
                case "typing" -> {
                    relayed(f);
                    in(c, room, f);
                    notAbout(c, f.path("from"), f);
                    causedBy(f.path("from"), f);
                }
                case "signal" -> {
                    relayed(f);
                    in(c, room, f);
                    assertThat(c.calls).as(where() + "%s got a signal outside its calls: %s", c, f).contains(room);
                    boolean keptForAResume = step.kind() == Kind.FRAME && "hello".equals(step.type()) && c == actor;
                    if (!keptForAResume) {
                        causedBy(f.path("from"), f);
                        assertThat(actor.calls).as(where() + "a signal from outside the call: " + f).contains(room);
                    }
                }
                case "file_signal" -> {
                    relayed(f);
                    in(c, room, f);
                    causedBy(f.path("from"), f);
                    assertThat(actor.rooms).as(where() + "a file signal from outside the room: " + f).contains(room);
                }
                case "message" -> {
                    in(c, room, f);
                    message(room, f, f.path("text").asText(""));
                    Long last = c.lastSeq.put(room, f.path("seq").asLong());
                    assertThat(f.path("seq").asLong()).as(where() + "%s got %s after seq %s", c, f, last).isGreaterThan(last == null ? 0 : last);
                }
                case "ack" -> {
                    fromActor(c, f);
                    in(c, room, f);
                    if (f.path("file").has("id")) files.add(f.path("file").path("id").asText());
                    String key = room + "#" + f.path("seq").asLong();
                    List<String> seen = messages.get(key);
                    if (seen != null) assertThat(seen.get(2)).as(where() + "the clientId of " + key).isEqualTo(f.path("clientId").asText());
                    c.acked.add(key);
                }
                case "history" -> {
                    fromActor(c, f);
                    in(c, room, f);
                    for (JsonNode m : f.path("messages")) {
                        List<String> seen = messages.get(room + "#" + m.path("seq").asLong());
                        assertThat(seen).as(where() + "a message in history that no one was sent: " + m).isNotNull();
                        assertThat(what(m)).as(where() + "history's copy of " + m).isEqualTo(seen);
                    }
                }
                case "reset" -> {
                    in(c, room, f);
                    c.lastSeq.remove(room);
                }
                case "file_link" -> {
                    fromActor(c, f);
                    assertThat(connections).as(where() + "a file link for a room none of the user's connections is in: " + f)
                            .anyMatch(o -> c.userId.equals(o.userId) && o.rooms.contains(room));
                }
                case "file_stored" -> {
                    assertThat(step.kind()).as(where() + "a file stored when none was uploaded: " + f).isEqualTo(Kind.UPLOAD);
                    in(c, room, f);
                }
                default -> throw new AssertionError(where() + "a frame of unknown type: " + f);
            }
        }

        /**
         * Whether a later connection was welcomed with this one's session (it resumed it): in the world, this
         * socket is dead and its close not yet seen; if it speaks all the same, it is closed unheard.
         */
        private boolean superseded(Connection c) {
            return c.sessionId != null && connections.stream().anyMatch(o -> o.welcomed > c.welcomed && c.sessionId.equals(o.sessionId));
        }

        /** A reply: only the connection that asked gets it. */
        private void fromActor(Connection c, JsonNode f) {
            assertThat(c).as(where() + "%s got another's reply %s", c, f).isSameAs(step.actor());
            assertThat(step.kind()).as(where() + "a reply to no request: " + f).isEqualTo(Kind.FRAME);
        }

        /** Typing and signals are relayed from a frame, never caused by a socket closing or time passing. */
        private void relayed(JsonNode f) {
            assertThat(step.kind()).as(where() + "relayed when nothing was sent: " + f).isEqualTo(Kind.FRAME);
        }

        private void in(Connection c, String room, JsonNode f) {
            assertThat(c.rooms).as(where() + "%s got an event of a room it is not in: %s", c, f).contains(room);
        }

        private void notAbout(Connection c, JsonNode member, JsonNode f) {
            assertThat(member.path("sessionId").asText()).as(where() + "%s was told of itself: %s", c, f).isNotEqualTo(c.sessionId);
        }

        /**
         * Who the server names as the cause of an event is whoever caused it in this step: the connection
         * that sent the frame or closed, or the one whose grace ended, unless another connection has resumed
         * its session since (then the grace that ends is not that session's).
         */
        /** A change of membership names the person who made it. */
        private void byActor(JsonNode by, JsonNode f) {
            Connection actor = step.actor();
            assertThat(List.of(by.path("userId").asText(), by.path("name").asText())).as(where() + "made by someone else: " + f)
                    .isEqualTo(List.of(String.valueOf(actor.userId), String.valueOf(actor.name)));
        }

        private void causedBy(JsonNode who, JsonNode f) {
            Connection actor = step.actor();
            if (step.kind() == Kind.GRACE) {
                assertThat(superseded(actor)).as(where() + "the grace of a drop that was resumed since ended its session: " + f).isFalse();
            }
            assertThat(List.of(who.path("sessionId").asText(), who.path("userId").asText(), who.path("name").asText()))
                    .as(where() + "relayed with an identity that is not the sender's: " + f)
                    .isEqualTo(List.of(String.valueOf(actor.sessionId), String.valueOf(actor.userId), String.valueOf(actor.name)));
        }

        /** A message is the same for everyone; the first to see it is its sender, who had its ack first. */
        private void message(String room, JsonNode f, String text) {
            String key = room + "#" + f.path("seq").asLong();
            List<String> what = what(f);
            List<String> seen = messages.putIfAbsent(key, what);
            if (seen != null) {
                assertThat(what).as(where() + "another copy of " + key).isEqualTo(seen);
                return;
            }
            Connection actor = step.actor();
            assertThat(step.type()).as(where() + "a new message when nothing was sent: " + f).isEqualTo("send");
            assertThat(List.of(what.get(0), what.get(1))).as(where() + "a message not from its sender: " + f)
                    .isEqualTo(List.of(String.valueOf(actor.userId), String.valueOf(actor.name)));
            assertThat(actor.acked).as(where() + "a message before its ack: " + f).contains(key);
        }

        private static List<String> what(JsonNode m) {
            return List.of(m.path("from").path("userId").asText(), m.path("from").path("name").asText(),
                    m.path("clientId").asText(), m.path("text").asText(""), m.path("file").path("id").asText(""));
        }

        @Override
        public void close() {
            hub.close();
        }
    }

    /** One client's socket, as a fake {@link ServerWebSocket}, and what the server has told it. */
    private static final class Connection {
        final Server server;
        final int slot;
        final ServerWebSocket ws;
        final List<String> written = new ArrayList<>();
        int read;
        Handler<WebSocketFrame> frameHandler;
        Handler<Void> closeHandler;
        boolean closed;
        Short closeCode;

        String sessionId, userId, name;
        int welcomed; // the order of its welcome among all connections
        final Set<String> rooms = new HashSet<>();
        final Set<String> calls = new HashSet<>();
        final Map<String, Long> lastSeq = new HashMap<>();
        final Set<String> acked = new HashSet<>();

        Connection(Server server, int slot) {
            this.server = server;
            this.slot = slot;
            ServerWebSocket[] self = new ServerWebSocket[1];
            Map<String, Function<Object[], Object>> methods = new HashMap<>();
            methods.put("frameHandler", a -> {
                frameHandler = cast(a[0]);
                return self[0];
            });
            methods.put("closeHandler", a -> {
                closeHandler = cast(a[0]);
                return self[0];
            });
            methods.put("exceptionHandler", a -> self[0]);
            methods.put("drainHandler", a -> self[0]);
            methods.put("writeTextMessage", a -> {
                assertThat(closed).as("a frame written to a closed socket").isFalse();
                written.add((String) a[0]);
                return Future.succeededFuture();
            });
            methods.put("isClosed", a -> closed);
            methods.put("writeQueueFull", a -> false);
            methods.put("closeStatusCode", a -> closeCode);
            methods.put("close", a -> {
                close(a.length > 0 ? (Short) a[0] : (short) 1000);
                return Future.succeededFuture();
            });
            methods.put("shutdown", a -> {
                close(a.length > 1 && a[1] instanceof Short code ? code : (short) 1000);
                return Future.succeededFuture();
            });
            self[0] = fake(ServerWebSocket.class, methods);
            ws = self[0];
            new WsSession(ws, server.context, server.outbox, server.services, PEOPLE[slot], () -> { });
        }

        /** The message in {@code pieces} frames, as the event loop would hand them over. */
        void send(String message, int pieces) {
            List<String> parts = split(message, pieces);
            for (int i = 0; i < parts.size(); i++) {
                boolean last = i == parts.size() - 1;
                WebSocketFrame frame = i == 0 ? WebSocketFrame.textFrame(parts.get(i), last)
                        : WebSocketFrame.continuationFrame(Buffer.buffer(parts.get(i)), last);
                server.loop.add(() -> frameHandler.handle(frame));
            }
        }

        /** The socket closes (either side): no more frames either way, and the session hears of it. */
        void close(Short code) {
            if (closed) return;
            closed = true;
            closeCode = code;
            server.loop.add(() -> closeHandler.handle(null));
        }

        List<JsonNode> newFrames() {
            List<JsonNode> frames = new ArrayList<>();
            for (; read < written.size(); read++) {
                try {
                    frames.add(JSON.readTree(written.get(read)));
                } catch (JsonProcessingException e) {
                    throw new AssertionError("the server wrote a frame that is not JSON: " + written.get(read), e);
                }
            }
            return frames;
        }

        /** A resumed session is in the rooms and calls of the connection that had it. */
        void welcomed(JsonNode welcome, List<Connection> connections) {
            welcomed = ++server.welcomes;
            server.welcomedIn[slot] = this;
            sessionId = welcome.path("sessionId").asText();
            userId = welcome.path("userId").asText();
            name = welcome.path("name").asText();
            for (int i = connections.size() - 1; i >= 0; i--) {
                Connection had = connections.get(i);
                if (had != this && sessionId.equals(had.sessionId)) {
                    rooms.addAll(had.rooms);
                    calls.addAll(had.calls);
                    break;
                }
            }
        }

        @Override
        public String toString() {
            return "connection " + slot + (sessionId == null ? "" : " (" + sessionId + ")");
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /** A fake of an interface that answers {@code methods} and refuses anything else, loudly. */
    private static <T> T fake(Class<T> type, Map<String, Function<Object[], Object>> methods) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> "fake " + type.getSimpleName();
                };
            }
            Function<Object[], Object> answer = methods.get(method.getName());
            if (answer == null) throw new UnsupportedOperationException(type.getSimpleName() + "." + method.getName() + " is not faked");
            return answer.apply(args == null ? new Object[0] : args);
        }));
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object o) {
        return (T) o;
    }

    /** Splits at char boundaries that do not cut a surrogate pair. */
    private static List<String> split(String s, int pieces) {
        List<String> parts = new ArrayList<>();
        int from = 0;
        for (int i = 1; i <= pieces; i++) {
            int to = i == pieces ? s.length() : Math.max(from, s.length() * i / pieces);
            if (to > 0 && to < s.length() && Character.isHighSurrogate(s.charAt(to - 1))) to++;
            parts.add(s.substring(from, to));
            from = to;
        }
        return parts;
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    private static Path tempDir() {
        try {
            Path dir = Files.createTempDirectory("parley-fuzz-files");
            dir.toFile().deleteOnExit();
            dir.resolve("incoming").toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
