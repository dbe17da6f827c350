package parley.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import parley.testing.RawWebSocket;
import parley.testing.TestAccounts;
import parley.testing.Await;
import parley.testing.TestServer;
import parley.testing.WsClient;

/**
 * Attacks on the connection itself, one row each: what is sent, and what must happen. Every row then
 * checks that the server is healthy and that nothing was stored in, or delivered to, the room the attacks
 * aim at. (Bad messages on a good connection are rows of {@link ProtocolErrorsTest}; a reader that stops
 * reading is {@link SlowReaderTest}.) The server runs with small limits so that each row is quick.
 */
class HostileInputTest {
    private static final int RATE = 20, BURST = 40, PER_ADDRESS = 40;
    /** Idle sockets for their row: PER_ADDRESS from each of as many loopback addresses as it takes. */
    private static final int IDLE = 1_000;
    /** Addresses the half-open handshakes come from, PER_ADDRESS each (an address may hold no more). */
    private static final int HALF_OPEN_ADDRESSES = Math.ceilDiv(1_500, PER_ADDRESS);
    /** The default of signin-failures-per-account: the server below leaves it as it is. */
    private static final int ACCOUNT_FAILURES = 10;
    private static TestServer server;
    private static WsClient watcher; // a member of the target room, who must receive nothing from the attacks
    private static String room;
    /** A private room of the watcher's, with one message in it. */
    private static String secret;
    private static String attacker; // a session cookie of an account the attacks may use

    /** One row: the attack's name, what it sends, what must happen, and the attack with its checks. */
    record Attack(String name, String sends, String mustHappen, Consumer<Target> run) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** What an attack works with; {@code cookie} is a valid session of an account of its own ({@code parley_session=...}). */
    record Target(int port, String room, String cookie) {
        String cookieHeader() {
            return RawWebSocket.cookie(cookie);
        }
    }

    @BeforeAll
    static void start() {
        server = TestServer.start("--messages-per-second", String.valueOf(RATE), "--message-burst", String.valueOf(BURST),
                "--max-connections-per-address", String.valueOf(PER_ADDRESS), "--handshake-timeout", "1",
                "--max-connections-per-user", String.valueOf(2 * IDLE), // the per-address and idle rows open their sockets as one person
                "--hello-timeout", "1", "--allowed-origins", "https://friend.example");
        watcher = server.hello("Watcher");
        attacker = server.cookie("Mallory");
        watcher.send("create_room", "name", "target");
        room = watcher.expect("room_added").at("/room/id").asText();
        watcher.send("join", "room", room);
        watcher.expect("joined");
        watcher.send("create_room", "name", "secret", "private", true);
        secret = watcher.expect("room_added").at("/room/id").asText();
        watcher.send("join", "room", secret);
        watcher.expect("joined");
        watcher.send("send", "room", secret, "clientId", "s1", "text", "for members only");
        watcher.expect("ack");
    }

    @AfterAll
    static void stop() {
        watcher.close();
        server.close();
    }

    static Stream<Attack> attacks() {
        return Stream.of(
                new Attack("cross-site WebSocket hijacking", "an upgrade with the victim's valid session cookie and Origin: https://evil.example",
                        "403, no socket", t -> assertRefused(t.port(), t.cookieHeader() + "Origin: https://evil.example\r\n", 403)),
                new Attack("a sandboxed or file: page", "an upgrade with a valid session cookie and Origin: null", "403, no socket",
                        t -> assertRefused(t.port(), t.cookieHeader() + "Origin: null\r\n", 403)),
                new Attack("same origin, as the browser client sends it", "Origin: http://127.0.0.1:<port>, a valid session cookie",
                        "101, a session", t -> assertAccepted(t.port(), t.cookieHeader() + "Origin: http://127.0.0.1:" + t.port() + "\r\n")),
                new Attack("same host and port, another scheme", "Origin: https://127.0.0.1:<port> (the server speaks plain HTTP), a valid session cookie",
                        "403, no socket", t -> assertRefused(t.port(), t.cookieHeader() + "Origin: https://127.0.0.1:" + t.port() + "\r\n", 403)),
                new Attack("an origin in allowed-origins", "Origin: https://friend.example, a valid session cookie", "101, a session",
                        t -> assertAccepted(t.port(), t.cookieHeader() + "Origin: https://friend.example\r\n")),
                new Attack("a socket without a session", "an upgrade with no cookie", "401, no socket",
                        t -> assertRefused(t.port(), "", 401)),
                new Attack("a forged session", "an upgrade with a made-up parley_session cookie", "401, no socket",
                        t -> assertRefused(t.port(), "Cookie: parley_session=" + "A".repeat(43) + "\r\n", 401)),
                new Attack("password guessing", "wrong passwords for one account, as fast as they are answered",
                        "401 each, then 429 with Retry-After, even for the right password", HostileInputTest::guessing),
                new Attack("a 1 MB password", "a sign-in whose password is 1 MiB", "413 at once: nothing read or hashed",
                        HostileInputTest::hugePassword),
                new Attack("a sign-in from another site's page (login CSRF)", "POST /api/signin with Origin: https://evil.example",
                        "403, no session", t -> assertThat(TestAccounts.post(t.port(), "/api/signin",
                                credentials("Watcher", TestAccounts.password("Watcher")), null, "Origin", "https://evil.example").statusCode())
                                .isEqualTo(403)),
                new Attack("a cross-site form post", "POST /api/password as text/plain (what a form may send), with a valid cookie",
                        "415, nothing changed", HostileInputTest::formPost),
                new Attack("compression bomb", "an upgrade offering permessage-deflate, then a frame flagged compressed (RSV1)",
                        "no extension agreed; the flagged frame closes the socket (1002)", HostileInputTest::compressed),
                new Attack("invalid UTF-8", "a text frame with the bytes C3 28", "closed with 1007", t -> {
                    try (RawWebSocket ws = new RawWebSocket(t.port(), t.cookie())) {
                        ws.send(RawWebSocket.TEXT, true, new byte[] {'{', (byte) 0xc3, 0x28, '}'});
                        assertThat(ws.read().closeCode()).isEqualTo(1007);
                    }
                }),
                new Attack("a frame declaring 2^62 bytes", "a frame header with a 64-bit length, then nothing",
                        "closed with 1009 before anything is buffered", t -> {
                            try (RawWebSocket ws = new RawWebSocket(t.port(), t.cookie())) {
                                ws.sendDeclaring(RawWebSocket.TEXT, true, 1L << 62, new byte[16]);
                                assertThat(ws.read().closeCode()).isEqualTo(1009);
                            }
                        }),
                new Attack("a socket that never says hello", "an upgrade, then silence", "closed with 1008 after hello-timeout",
                        t -> {
                            try (RawWebSocket ws = new RawWebSocket(t.port(), t.cookie())) {
                                assertThat(ws.read().closeCode()).isEqualTo(1008);
                            }
                        }),
                new Attack("thousands of half-open handshakes", "1,500 TCP connections, " + PER_ADDRESS + " from each of "
                        + HALF_OPEN_ADDRESSES + " addresses (127.0.1.1, ...): silent, or half a request line",
                        "each closed after handshake-timeout; a real client chats meanwhile", HostileInputTest::halfOpen),
                new Attack("thousands of idle sockets", IDLE + " WebSockets that say hello and nothing more, " + PER_ADDRESS
                        + " from each of " + (IDLE / PER_ADDRESS) + " addresses (127.0.0.2, ...)", "all held; another client's pings stay prompt",
                        HostileInputTest::idleSockets),
                new Attack("too many sockets from one address", (PER_ADDRESS + 1) + " WebSockets from 127.0.2.1",
                        "the last closed as soon as it is accepted; the others work", HostileInputTest::perAddress),
                new Attack("flooding", "3,000 messages as fast as the socket takes them",
                        "rate_limited replies, then closed with 1008; another client's pings stay prompt", HostileInputTest::flood),
                new Attack("a signal into another room's call", "signal to a call participant of a room the sender is not in",
                        "not_joined; the participant receives nothing", HostileInputTest::signalElsewhere),
                new Attack("history of a private room as a non-member", "history, members and call_join naming a private room's id",
                        "no_such_room, word for word as for an id never used", t -> {
                            try (WsClient outsider = WsClient.hello(t.port(), "Outsider")) {
                                assertLikeNoRoom(outsider, "history", "members", "call_join");
                            }
                        }),
                new Attack("history of a private room as a former member", "invited, kicked, then history and join",
                        "no_such_room as for an id never used; nothing after the kick reaches them", t -> {
                            try (WsClient former = WsClient.hello(t.port(), "Former")) {
                                watcher.send("invite", "room", secret, "user", former.userId());
                                watcher.expect("member");
                                former.expect("room_added");
                                former.send("join", "room", secret);
                                former.expect("joined");
                                watcher.send("kick", "room", secret, "user", former.userId());
                                watcher.expect("member");
                                former.expect("removed");
                                assertLikeNoRoom(former, "history", "join", "typing");
                                assertThat(former.received("message")).isEmpty();
                            }
                        }),
                new Attack("joining a private room by guessing its id", "join with the private room's id, as if guessed",
                        "no_such_room, word for word as for an id never used; no presence reaches the members", t -> {
                            try (WsClient guesser = WsClient.hello(t.port(), "Guesser")) {
                                int mark = watcher.mark();
                                assertLikeNoRoom(guesser, "join");
                                assertThat(watcher.receivedSince(mark, "presence")).isEmpty();
                            }
                        }),
                new Attack("a socket still open after sign-out", "sign out over HTTP while the session's socket is open, then send",
                        "the socket closed with 4401; its session opens nothing", t -> {
                            String cookie = TestAccounts.cookie(t.port(), "Leaving");
                            WsClient tab = WsClient.withCookie(t.port(), cookie, null);
                            assertThat(TestAccounts.post(t.port(), "/api/signout", "{}", cookie).statusCode()).isEqualTo(200);
                            assertThat(tab.closeCode()).isEqualTo(4401);
                            assertRefused(t.port(), RawWebSocket.cookie(cookie), 401);
                        }),
                new Attack("a file_signal to a member of another room", "file_signal naming the target room's member from outside",
                        "not_joined; the member receives nothing", t -> {
                            try (WsClient outsider = WsClient.hello(t.port(), "Outsider")) {
                                outsider.send("file_signal", "room", t.room(), "to", watcher.sessionId(), "file", "f_x", "want", 0);
                                outsider.expectError("not_joined");
                            }
                        }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("attacks")
    void an_attack_does_what_its_row_says_and_harms_nothing(Attack attack) {
        int mark = watcher.mark();
        attack.run().accept(new Target(server.port(), room, attacker));

        assertThat(server.get("/health").statusCode()).as("healthy after: " + attack.name()).isEqualTo(200);
        // Two messages of the watcher's per row (a ping, a history), which its own rate limit (RATE, BURST)
        // covers however fast the rows run: with a ping per type, quick rows ran it out of tokens.
        watcher.sync();
        List<JsonNode> all = watcher.received();
        for (String type : List.of("message", "signal", "file_signal")) {
            assertThat(all.subList(mark, all.size())).filteredOn(m -> type.equals(m.path("type").asText()))
                    .as(type + " delivered by: " + attack.name()).isEmpty();
        }
        watcher.send("history", "room", room);
        assertThat(watcher.expect("history").get("messages")).as("stored by: " + attack.name()).isEmpty();
    }

    @org.junit.jupiter.api.Test
    void the_page_may_load_from_and_connect_to_its_own_origin_only() {
        HttpResponse<String> page = server.get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().allValues("Content-Security-Policy")).containsExactly("default-src 'self'; connect-src 'self'; "
                + "img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'");
    }

    /** Each message, naming the private room, is answered exactly as when it names a room that never was. */
    private static void assertLikeNoRoom(WsClient c, String... types) {
        String never = "r_" + "q".repeat(16);
        for (String type : types) {
            List<String> answers = new ArrayList<>();
            for (String id : List.of(secret, never)) {
                if (type.equals("typing")) c.send(type, "room", id, "ref", "probe", "active", true);
                else c.send(type, "room", id, "ref", "probe");
                JsonNode reply = c.expect(m -> "probe".equals(m.path("ref").asText()) || "error".equals(m.path("type").asText()), "an answer to " + type);
                answers.add(reply.toString().replace(id, "<room>"));
            }
            assertThat(answers.getFirst()).as(type + " of the private room").isEqualTo(answers.getLast()).contains("no_such_room");
        }
    }

    private static void assertRefused(int port, String headers, int status) {
        assertThatThrownBy(() -> new RawWebSocket(port, 0, headers).close())
                .isInstanceOfSatisfying(RawWebSocket.Refused.class, r -> assertThat(r.status()).isEqualTo(status));
    }

    private static void assertAccepted(int port, String headers) {
        try (RawWebSocket ws = new RawWebSocket(port, 0, headers)) {
            ws.sendText("{\"type\":\"hello\"}");
            assertThat(ws.read().text()).contains("\"welcome\"");
        }
    }

    private static void compressed(Target t) {
        try (RawWebSocket ws = new RawWebSocket(t.port(), 0, t.cookieHeader() + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n")) {
            assertThat(ws.responseHead().toLowerCase()).doesNotContain("sec-websocket-extensions");
            // A deflated {"type":"ping"} would inflate; with no extension agreed, RSV1 is a protocol error.
            ws.send(0x40 | RawWebSocket.TEXT, true, new byte[] {(byte) 0xab, 0x56, 0x2a, (byte) 0xa9, 0x2c, 0x48, 0x55, (byte) 0xb2});
            assertThat(ws.read().closeCode()).isEqualTo(1002);
        }
    }

    /** Opens TCP connections that never finish a request; the server must close every one of them. */
    private static void halfOpen(Target t) {
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 1500; i++) {
                Socket s = new Socket();
                s.bind(new InetSocketAddress("127.0.1." + (1 + i / PER_ADDRESS), 0));
                s.connect(new InetSocketAddress("127.0.0.1", t.port()), 5_000);
                s.setSoTimeout(10_000);
                if (i % 2 == 1) s.getOutputStream().write("GET /ws HTTP/1.1\r\nHost: 127".getBytes(StandardCharsets.US_ASCII));
                sockets.add(s);
            }
            try (WsClient alice = WsClient.hello(t.port(), "Alice")) { // the server still serves others
                alice.send("create_room", "name", "still-open");
                alice.expect("room_added");
            }
            for (Socket s : sockets) {
                InputStream in = s.getInputStream();
                try {
                    while (in.read() >= 0) {
                        // a 408 or nothing: either way the server must end the connection
                    }
                } catch (java.net.SocketTimeoutException e) {
                    throw new AssertionError("a half-open connection was still open after 10 s", e);
                } catch (java.net.SocketException reset) {
                    // closed with a reset: closed
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (Socket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }
    }

    /**
     * Opens WebSockets until the server refuses one. Sockets of earlier rows may still be closing on the
     * server's side, so the count that fits can be a little under the limit, never over it.
     */
    private static void idleSockets(Target t) {
        List<RawWebSocket> open = new ArrayList<>();
        try {
            for (int i = 0; i < IDLE; i++) {
                RawWebSocket ws = new RawWebSocket("127.0.0." + (2 + i / PER_ADDRESS), t.port(), 0, t.cookieHeader());
                open.add(ws);
                ws.sendText("{\"type\":\"hello\"}");
                assertThat(ws.read().text()).contains("\"welcome\"");
            }
            long worst = 0;
            for (int i = 0; i < 20; i++) {
                long start = System.nanoTime();
                watcher.sync();
                worst = Math.max(worst, System.nanoTime() - start);
            }
            assertThat(Duration.ofNanos(worst)).as("the watcher's slowest ping among " + IDLE + " idle sockets").isLessThan(Duration.ofSeconds(1));
        } finally {
            open.forEach(RawWebSocket::close);
        }
    }

    private static void perAddress(Target t) {
        String from = "127.0.2.1";
        List<RawWebSocket> open = new ArrayList<>();
        try {
            for (int i = 0; i < PER_ADDRESS; i++) open.add(new RawWebSocket(from, t.port(), 0, t.cookieHeader()));
            // Its connection is counted (and closed) before a byte of its request is read: no answer, no socket.
            assertThatThrownBy(() -> new RawWebSocket(from, t.port(), 0, t.cookieHeader()).close()).isInstanceOf(UncheckedIOException.class);
            open.getLast().sendText("{\"type\":\"hello\"}");
            assertThat(open.getLast().read().text()).contains("\"welcome\"");
        } finally {
            open.forEach(RawWebSocket::close);
        }
        Await.until(() -> { // the count comes down as the sockets close
            try (RawWebSocket again = new RawWebSocket(from, t.port(), 0, t.cookieHeader())) {
                return true;
            } catch (UncheckedIOException stillFull) {
                return false;
            }
        });
    }

    /**
     * One client sends as fast as it can into the room while another pings; the flooder's messages beyond
     * the burst are refused, it is disconnected, and the other's pings are answered promptly throughout.
     */
    private static void flood(Target t) {
        try (WsClient other = WsClient.hello(t.port(), "Other");
             RawWebSocket flooder = new RawWebSocket(t.port(), t.cookie())) {
            flooder.sendText("{\"type\":\"hello\"}");
            assertThat(flooder.read().text()).contains("\"welcome\"");
            long start = System.nanoTime();
            Thread flooding = Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < 3000; i++) {
                        flooder.sendText("{\"type\":\"send\",\"room\":\"" + t.room() + "\",\"clientId\":\"f" + i + "\",\"text\":\"spam\"}");
                    }
                } catch (UncheckedIOException closedByTheServer) {
                    // expected once the server has had enough
                }
            });
            List<Long> roundTrips = new ArrayList<>();
            for (int i = 0; i < RATE; i++) { // within the other client's own limit
                long t0 = System.nanoTime();
                other.send("ping", "ref", "p" + i);
                other.expect(m -> m.path("type").asText().equals("pong"), "pong");
                roundTrips.add((System.nanoTime() - t0) / 1_000_000);
            }
            int rateLimited = 0;
            int closeCode = -1;
            int letThrough = 0; // answered not_joined: the flooder never joined, so nothing it sends is stored
            while (closeCode < 0) {
                RawWebSocket.Frame f = flooder.read();
                if (f.opcode() == RawWebSocket.CLOSE) closeCode = f.closeCode();
                else if (f.text().contains("rate_limited")) rateLimited++;
                else if (f.text().contains("not_joined")) letThrough++;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(closeCode).isEqualTo(1008);
            assertThat(letThrough).as("messages let through in %.2f s", seconds).isBetween(BURST - 1, BURST + (int) Math.ceil(RATE * seconds)); // hello took a token
            assertThat(rateLimited).as("refusals before the disconnect").isGreaterThanOrEqualTo(BURST);
            List<Long> sorted = roundTrips.stream().sorted().toList();
            assertThat(sorted.get(sorted.size() / 2)).as("median ping round trip during the flood, ms").isLessThan(100);
            assertThat(sorted.getLast()).as("slowest ping round trip during the flood, ms").isLessThan(1000);
        }
    }

    private static void signalElsewhere(Target t) {
        try (WsClient outsider = WsClient.hello(t.port(), "Outsider")) {
            watcher.send("call_join", "room", t.room());
            watcher.expect("call_joined");
            try {
                outsider.send("signal", "room", t.room(), "to", watcher.sessionId(),
                        "candidate", WsClient.JSON.createObjectNode().put("candidate", "candidate:1 1 udp 1 192.0.2.1 9 typ host"));
                outsider.expectError("not_joined");
            } finally {
                watcher.send("call_leave", "room", t.room());
                watcher.expect("call_left");
            }
        }
    }

    private static String credentials(String username, String password) {
        return WsClient.JSON.createObjectNode().put("username", username).put("password", password).toString();
    }

    /** Guesses the password of an account of its own, which ends throttled (the address is not, yet). */
    private static void guessing(Target t) {
        TestAccounts.cookie(t.port(), "Victim");
        int refused = 0;
        HttpResponse<String> r;
        for (int i = 0; ; i++) {
            r = TestAccounts.post(t.port(), "/api/signin", credentials("Victim", "guess number " + i), null);
            if (r.statusCode() != 401) break;
            refused++;
            assertThat(refused).as("guesses answered 401 before any 429").isLessThanOrEqualTo(ACCOUNT_FAILURES);
        }
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(refused).as("guesses allowed (signin-failures-per-account, default)").isEqualTo(ACCOUNT_FAILURES);
        assertThat(Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 15 * 60L);
        assertThat(r.body()).contains("\"too_many_attempts\"");
        HttpResponse<String> right = TestAccounts.post(t.port(), "/api/signin", credentials("Victim", TestAccounts.password("Victim")), null);
        assertThat(right.statusCode()).as("the right password, while throttled").isEqualTo(429);
        assertThat(TestAccounts.sessionCookie(right)).isNull();
    }

    private static void hugePassword(Target t) {
        String password = "p".repeat(1 << 20);
        long t0 = System.nanoTime();
        HttpResponse<String> r = TestAccounts.post(t.port(), "/api/signin", credentials("Watcher", password), null);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(ms).as("ms to refuse a 1 MiB password").isLessThan(2_000);
        // Under the body limit but over the password limit: refused as a field, before hashing.
        HttpResponse<String> tooLong = TestAccounts.post(t.port(), "/api/signup", credentials("Longpass", "p".repeat(257)), null);
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(tooLong.body()).contains("\"field\":\"password\"");
    }

    private static void formPost(Target t) {
        HttpRequest form = HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + t.port() + "/api/password"))
                .header("Content-Type", "text/plain").header("Cookie", t.cookie())
                .POST(HttpRequest.BodyPublishers.ofString("{\"current\":\"x\",\"password\":\"owned by mallory\"}")).build();
        try {
            assertThat(HttpClient.newHttpClient().send(form, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(415);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
