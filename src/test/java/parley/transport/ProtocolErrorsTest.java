package parley.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import java.nio.charset.StandardCharsets;
import parley.testing.RawWebSocket;
import parley.testing.TestServer;
import parley.testing.WsClient;

/**
 * Every protocol error of docs/protocol.md, one row each: what is sent and the error it must get. After
 * each row the connection still works, the server is healthy, and nothing was stored or delivered.
 */
class ProtocolErrorsTest {
    private static TestServer server;
    private static WsClient watcher;
    private static String room;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        watcher = server.hello("Watcher");
        watcher.send("create_room", "name", "errors");
        room = watcher.expect("room_added").at("/room/id").asText();
        watcher.send("join", "room", room);
        watcher.expect("joined");
    }

    @AfterAll
    static void stop() {
        watcher.close();
        server.close();
    }

    static Stream<Arguments> badFrames() {
        String deep = "{\"type\":\"ping\",\"x\":" + "[".repeat(40) + "]".repeat(40) + "}";
        return Stream.of(
                Arguments.of("not JSON", "hello there", "bad_json"),
                Arguments.of("truncated JSON", "{\"type\":\"send\",", "bad_json"),
                Arguments.of("JSON cut off inside a string", "{\"type\":\"send\",\"room\":\"%ROOM%\",\"clientId\":\"c\",\"text\":\"unfinished", "bad_json"),
                Arguments.of("a JSON array", "[1,2]", "bad_json"),
                Arguments.of("a JSON string", "\"send\"", "bad_json"),
                Arguments.of("trailing garbage", "{\"type\":\"ping\"} {}", "bad_json"),
                Arguments.of("duplicate keys", "{\"type\":\"send\",\"room\":\"%ROOM%\",\"room\":\"x\",\"clientId\":\"d\",\"text\":\"t\"}", "bad_json"),
                Arguments.of("nesting too deep", deep, "bad_json"),
                Arguments.of("no type", "{\"room\":\"%ROOM%\"}", "unknown_type"),
                Arguments.of("unknown type", "{\"type\":\"launch_missiles\"}", "unknown_type"),
                Arguments.of("type of the wrong JSON type", "{\"type\":7}", "unknown_type"),
                Arguments.of("missing field", "{\"type\":\"send\",\"room\":\"%ROOM%\",\"clientId\":\"m1\"}", "bad_message"),
                Arguments.of("empty text", "{\"type\":\"send\",\"room\":\"%ROOM%\",\"clientId\":\"m1\",\"text\":\"   \"}", "bad_message"),
                Arguments.of("number as string", "{\"type\":\"join\",\"room\":\"%ROOM%\",\"since\":\"5\"}", "bad_message"),
                Arguments.of("string as number", "{\"type\":\"send\",\"room\":\"%ROOM%\",\"clientId\":5,\"text\":\"t\"}", "bad_message"),
                Arguments.of("boolean as number", "{\"type\":\"typing\",\"room\":\"%ROOM%\",\"active\":1}", "bad_message"),
                Arguments.of("float for an integer", "{\"type\":\"history\",\"room\":\"%ROOM%\",\"limit\":2.5}", "bad_message"),
                Arguments.of("negative since", "{\"type\":\"join\",\"room\":\"%ROOM%\",\"since\":-1}", "bad_message"),
                Arguments.of("object for a string", "{\"type\":\"send\",\"room\":{\"id\":1},\"clientId\":\"m1\",\"text\":\"t\"}", "bad_message"),
                Arguments.of("forged sender", "{\"type\":\"send\",\"room\":\"%ROOM%\",\"clientId\":\"m1\",\"text\":\"t\",\"from\":{\"userId\":\"u_admin\"}}", "bad_message"),
                Arguments.of("client id with spaces", "{\"type\":\"send\",\"room\":\"%ROOM%\",\"clientId\":\"a b\",\"text\":\"t\"}", "bad_message"),
                Arguments.of("ref too long", "{\"type\":\"ping\",\"ref\":\"" + "r".repeat(65) + "\"}", "bad_message"),
                Arguments.of("room name with a control character", "{\"type\":\"create_room\",\"name\":\"a\\u0007b\"}", "bad_message"),
                Arguments.of("text with a lone surrogate (a JSON escape)", "{\"type\":\"send\",\"room\":\"%ROOM%\",\"clientId\":\"m1\",\"text\":\"a\\ud800b\"}", "bad_message"),
                Arguments.of("text with a NUL", "{\"type\":\"send\",\"room\":\"%ROOM%\",\"clientId\":\"m1\",\"text\":\"a\\u0000b\"}", "bad_message"),
                Arguments.of("a caption with a control character", "{\"type\":\"send\",\"room\":\"%ROOM%\",\"clientId\":\"m1\",\"text\":\"\\u001b[31m\",\"file\":{\"name\":\"a\",\"size\":1,\"sha256\":\"" + "0".repeat(64) + "\"}}", "bad_message"),
                Arguments.of("room name with a right-to-left override", "{\"type\":\"create_room\",\"name\":\"gen\\u202eral\"}", "bad_message"),
                Arguments.of("room name of zero-width characters only", "{\"type\":\"create_room\",\"name\":\"\\u200b\\u200d\\ufeff\"}", "bad_message"),
                Arguments.of("room topic with a lone surrogate", "{\"type\":\"create_room\",\"name\":\"t\",\"topic\":\"\\udc00\"}", "bad_message"),
                Arguments.of("room name too long", "{\"type\":\"create_room\",\"name\":\"" + "n".repeat(65) + "\"}", "bad_message"),
                Arguments.of("text too long", "{\"type\":\"send\",\"room\":\"%ROOM%\",\"clientId\":\"m1\",\"text\":\"" + "x".repeat(4001) + "\"}", "bad_message"),
                Arguments.of("frame over max-frame-bytes", "{\"type\":\"send\",\"room\":\"%ROOM%\",\"clientId\":\"m1\",\"text\":\"" + "é".repeat(40_000) + "\"}", "too_large"),
                Arguments.of("second hello", "{\"type\":\"hello\"}", "bad_state"),
                Arguments.of("a name in hello: identity is the session's", "{\"type\":\"hello\",\"name\":\"Admin\"}", "bad_message"),
                Arguments.of("a guest token in hello", "{\"type\":\"hello\",\"token\":\"k3Jx\"}", "bad_message"),
                Arguments.of("unknown room", "{\"type\":\"join\",\"room\":\"r_nope\"}", "no_such_room"),
                Arguments.of("send to a room not joined", "{\"type\":\"send\",\"room\":\"%OTHER%\",\"clientId\":\"m1\",\"text\":\"t\"}", "not_joined"),
                Arguments.of("history of a room not joined", "{\"type\":\"history\",\"room\":\"%OTHER%\"}", "not_joined"),
                Arguments.of("typing in a room not joined", "{\"type\":\"typing\",\"room\":\"%OTHER%\",\"active\":true}", "not_joined"),
                Arguments.of("leave a room not joined", "{\"type\":\"leave\",\"room\":\"%OTHER%\"}", "not_joined"),
                Arguments.of("a room name that exists", "{\"type\":\"create_room\",\"name\":\"ERRORS\"}", "name_taken"));
    }

    @ParameterizedTest(name = "{0} gets {2}")
    @MethodSource("badFrames")
    void a_bad_frame_gets_a_clear_error_and_changes_nothing(String what, String frame, String code) {
        try (WsClient c = server.hello("Mallory")) {
            c.send("join", "room", room);
            c.expect("joined");
            String other = generalRoom(c);
            int watcherMark = watcher.mark();

            c.sendRaw(frame.replace("%ROOM%", room).replace("%OTHER%", other));
            JsonNode error = c.expectError(code);
            assertThat(error.get("message").asText()).isNotBlank();

            c.sync(); // the connection lives on
            assertThat(c.isClosed()).isFalse();
            assertThat(watcher.receivedSince(watcherMark, "message")).as("nothing delivered").isEmpty();
            watcher.send("history", "room", room);
            assertThat(watcher.expect("history").get("messages")).as("nothing stored").isEmpty();
            assertThat(server.get("/health").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void a_deceptive_or_malformed_name_or_text_is_refused_saying_which_field_and_why_and_nothing_is_made() {
        try (WsClient c = server.hello("Mallory")) {
            c.send("list_rooms");
            JsonNode before = c.expect("rooms").get("rooms");
            record Case(String frame, String message) {}
            for (Case k : java.util.List.of(
                    new Case("{\"type\":\"create_room\",\"name\":\"gen\\u202eral\"}",
                            "name must not contain bidirectional controls (U+202E)"),
                    new Case("{\"type\":\"create_room\",\"name\":\" \\u200b\\u2060 \"}", "name must have a visible character"),
                    new Case("{\"type\":\"create_room\",\"name\":\"a\\ud800\"}", "name must be well-formed Unicode"),
                    new Case("{\"type\":\"create_room\",\"name\":\"ok\",\"topic\":\"\\u0000\"}", "topic must not contain control characters (U+0000)"),
                    new Case("{\"type\":\"send\",\"room\":\"" + room + "\",\"clientId\":\"m1\",\"text\":\"\\udfff\"}",
                            "text must be well-formed Unicode, without a lone surrogate (U+DFFF)"))) {
                c.sendRaw(k.frame());
                assertThat(c.expectError("bad_message").get("message").asText()).as(k.frame()).startsWith(k.message());
            }
            c.send("list_rooms");
            assertThat(c.expect("rooms").get("rooms")).as("no room made").isEqualTo(before);
        }
    }

    @Test
    void emoji_sequences_and_right_to_left_scripts_in_names_and_text_arrive_as_sent() {
        String name = "\u0645\u0631\u062D\u0628\u0627 \u05E9\u05DC\u05D5\u05DD \uD83D\uDC69\u200D\uD83D\uDCBB";
        String text = "\u0633\u0644\u0627\u0645\n\u05E9\u05DC\u05D5\u05DD\t\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67 \u200F!";
        try (WsClient c = server.hello("Rtl")) {
            c.send("create_room", "name", name, "topic", "\u05E0\u05D5\u05E9\u05D0 \uD83D\uDCAC");
            JsonNode added = c.expect("room_added").get("room");
            assertThat(added.get("name").asText()).isEqualTo(name);
            String id = added.get("id").asText();
            c.send("join", "room", id);
            c.expect("joined");
            c.send("send", "room", id, "clientId", "rtl-1", "text", text);
            c.expect("ack");
            assertThat(c.expect("message").get("text").asText()).isEqualTo(text);
            c.send("history", "room", id);
            assertThat(c.expect("history").at("/messages/0/text").asText()).as("stored as sent").isEqualTo(text);
        }
    }

    private static String generalRoom(WsClient c) {
        c.send("list_rooms");
        for (JsonNode r : c.expect("rooms").get("rooms")) {
            if (r.get("name").asText().equals("general")) return r.get("id").asText();
        }
        throw new AssertionError("no general room");
    }

    @Test
    void messages_before_hello_get_hello_first() {
        try (WsClient c = WsClient.connect(server.port(), server.cookie("Late"))) {
            c.send("list_rooms", "ref", "early");
            JsonNode error = c.expectError("hello_first");
            assertThat(error.get("ref").asText()).isEqualTo("early");
            c.send("hello");
            c.expect("welcome");
        }
    }

    @Test
    void an_error_reply_repeats_the_ref_of_the_request() {
        try (WsClient c = server.hello("Ref")) {
            c.send("history", "room", "r_nope", "ref", "h-42");
            assertThat(c.expectError("no_such_room").get("ref").asText()).isEqualTo("h-42");
        }
    }

    @Test
    void a_message_that_fails_validation_gets_an_error_with_its_ref() {
        try (WsClient c = server.hello("Ref")) {
            c.sendRaw("{\"type\":\"send\",\"room\":\"" + room + "\",\"clientId\":\"x\",\"text\":\" \",\"ref\":\"s-7\"}");
            assertThat(c.expectError("bad_message").get("ref").asText()).isEqualTo("s-7");
            c.sendRaw("{\"type\":\"warp\",\"ref\":\"w-1\"}");
            assertThat(c.expectError("unknown_type").get("ref").asText()).isEqualTo("w-1");
        }
    }

    @Test
    void a_binary_frame_closes_the_socket_with_1003() {
        try (WsClient c = server.hello("Binary")) {
            c.sendBinary(new byte[] {1, 2, 3});
            assertThat(c.closeCode()).isEqualTo(1003);
        }
        assertThat(server.get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void a_single_frame_over_the_hard_limit_closes_the_socket_with_1009() {
        try (RawWebSocket raw = new RawWebSocket(server.port(), watcher.cookie())) {
            // The header declares 300 KiB; the server judges by it and closes before the payload arrives,
            // so only its start is sent (writing all of it could fail with a broken pipe).
            raw.sendDeclaring(RawWebSocket.TEXT, true, 300 * 1024, "{\"type\":\"ping\",\"pad\":\"".getBytes(StandardCharsets.UTF_8));
            RawWebSocket.Frame reply = raw.read();
            assertThat(reply.opcode()).isEqualTo(RawWebSocket.CLOSE);
            assertThat(reply.closeCode()).isEqualTo(1009);
        }
        assertThat(server.get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void a_long_message_in_many_frames_gets_too_large_without_being_buffered_and_the_socket_lives_on() {
        try (RawWebSocket raw = new RawWebSocket(server.port(), watcher.cookie())) {
            raw.sendText("{\"type\":\"hello\"}");
            assertThat(raw.read().text()).contains("\"welcome\"");
            byte[] chunk = "x".repeat(16 * 1024).getBytes(StandardCharsets.UTF_8);
            raw.send(RawWebSocket.TEXT, false, "{\"type\":\"ping\",\"pad\":\"".getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < 64; i++) raw.send(RawWebSocket.CONTINUATION, false, chunk); // 1 MiB in all
            raw.send(RawWebSocket.CONTINUATION, true, "\"}".getBytes(StandardCharsets.UTF_8));
            assertThat(raw.read().text()).contains("\"too_large\"");
            raw.sendText("{\"type\":\"ping\",\"ref\":\"alive\"}");
            assertThat(raw.read().text()).isEqualTo("{\"type\":\"pong\",\"ref\":\"alive\"}");
        }
    }
}
