package parley.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import parley.testing.TcpProxy;
import parley.testing.TestAccounts;
import parley.testing.TestServer;
import parley.testing.WsClient;

/** The server side of calls: who is in a room's call, and signalling that never leaves it. */
class CallSignallingTest {
    static final String SDP = "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
            + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:111 opus/48000/2\r\n";

    private TestServer server;
    private final List<WsClient> clients = new ArrayList<>();

    @AfterEach
    void stop() {
        clients.forEach(WsClient::close);
        if (server != null) server.close();
    }

    private WsClient inRoom(String name, String room) {
        WsClient c = server.hello(name);
        clients.add(c);
        c.send("join", "room", room);
        c.expect("joined");
        return c;
    }

    private String room(String name) {
        WsClient admin = server.hello("admin");
        clients.add(admin);
        admin.send("create_room", "name", name);
        return admin.expect("room_added").at("/room/id").asText();
    }

    /** A room with Ada and Grace in its call, on a server with default settings. */
    private record Pair(String room, WsClient ada, WsClient grace) {}

    private Pair pairInCall(String roomName) {
        server = TestServer.start();
        String room = room(roomName);
        WsClient ada = inRoom("Ada", room);
        WsClient grace = inRoom("Grace", room);
        joinCall(ada, room);
        joinCall(grace, room);
        return new Pair(room, ada, grace);
    }

    private static JsonNode joinCall(WsClient c, String room) {
        c.send("call_join", "room", room, "ref", "cj");
        JsonNode joined = c.expect("call_joined");
        assertThat(joined.get("ref").asText()).isEqualTo("cj");
        return joined;
    }

    private static List<String> sessions(JsonNode participants) {
        List<String> out = new ArrayList<>();
        participants.forEach(p -> out.add(p.get("sessionId").asText()));
        return out;
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode offer(String to, String room) {
        return WsClient.message("signal", "room", room, "to", to, "description", Map.of("type", "offer", "sdp", SDP));
    }

    /**
     * docs/protocol.md says which messages have no reply when they succeed: a client that waited for one would
     * hang. Each of them here succeeds (its effect reaches the other side) and its sender hears nothing with its ref.
     */
    @Test
    void typing_call_media_signal_and_file_signal_succeed_without_a_reply() {
        Pair p = pairInCall("quiet");
        int mark = p.ada().mark();
        p.ada().send("typing", "room", p.room(), "active", true, "ref", "q1");
        p.grace().expect("typing");
        p.ada().send("call_media", "room", p.room(), "audio", true, "video", false, "screen", false, "ref", "q2");
        p.grace().expect(m -> "call".equals(m.path("type").asText()) && m.at("/participants/0/audio").asBoolean(), "call with audio on");
        JsonNode signal = offer(p.grace().sessionId(), p.room()).put("ref", "q3");
        p.ada().send(signal);
        p.grace().expect("signal");
        p.ada().send("file_signal", "room", p.room(), "to", p.grace().sessionId(), "file", "f_x", "want", 0, "ref", "q4");
        p.grace().expect("file_signal");

        p.ada().sync();
        List<JsonNode> since = p.ada().received().subList(mark, p.ada().received().size());
        assertThat(since).as("what Ada got back").noneMatch(m -> m.path("ref").asText().startsWith("q"));
        assertThat(since).extracting(m -> m.path("type").asText()).as("Ada sees the room's call change, without a ref")
                .contains("call");
    }

    @Test
    void joining_the_call_gives_your_place_and_the_whole_room_sees_who_is_in_it() {
        server = TestServer.start();
        String room = room("standup");
        WsClient ada = inRoom("Ada", room);
        WsClient grace = inRoom("Grace", room);

        JsonNode first = joinCall(ada, room);
        assertThat(first.at("/you/order").asInt()).isEqualTo(1);
        assertThat(sessions(first.get("participants"))).containsExactly(ada.sessionId());
        assertThat(first.get("iceServers")).isEmpty();
        assertThat(first.get("iceTransportPolicy").asText()).isEqualTo("all");
        assertThat(sessions(grace.expect("call").get("participants"))).as("people not in the call see it in progress")
                .containsExactly(ada.sessionId());

        // Someone who enters the room later sees the call in progress in the joined reply.
        WsClient linus = server.hello("Linus");
        clients.add(linus);
        linus.send("join", "room", room);
        assertThat(sessions(linus.expect("joined").get("call"))).containsExactly(ada.sessionId());

        JsonNode second = joinCall(grace, room);
        assertThat(second.at("/you/order").asInt()).as("later joiners are the polite side").isEqualTo(2);
        assertThat(sessions(second.get("participants"))).containsExactly(ada.sessionId(), grace.sessionId());
        assertThat(sessions(ada.expect(m -> m.path("type").asText().equals("call") && m.get("participants").size() == 2, "call of 2")
                .get("participants"))).containsExactly(ada.sessionId(), grace.sessionId());

        grace.send("call_leave", "room", room, "ref", "bye");
        assertThat(grace.expect("call_left").get("ref").asText()).isEqualTo("bye");
        assertThat(sessions(linus.expect(m -> m.path("type").asText().equals("call") && m.get("participants").size() == 1, "call of 1")
                .get("participants"))).containsExactly(ada.sessionId());
    }

    @Test
    void a_signal_reaches_its_target_in_the_same_call_stamped_with_the_sender() {
        Pair pair = pairInCall("pair");
        String room = pair.room();
        WsClient ada = pair.ada();
        WsClient grace = pair.grace();

        ada.send(offer(grace.sessionId(), room));
        JsonNode got = grace.expect("signal");
        assertThat(got.at("/from/sessionId").asText()).isEqualTo(ada.sessionId());
        assertThat(got.at("/from/userId").asText()).isEqualTo(ada.userId());
        assertThat(got.at("/description/type").asText()).isEqualTo("offer");
        assertThat(got.at("/description/sdp").asText()).isEqualTo(SDP);

        grace.send(WsClient.message("signal", "room", room, "to", ada.sessionId(),
                "candidate", Map.of("candidate", "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host", "sdpMid", "0", "sdpMLineIndex", 0)));
        JsonNode candidate = ada.expect("signal");
        assertThat(candidate.at("/from/sessionId").asText()).isEqualTo(grace.sessionId());
        assertThat(candidate.at("/candidate/sdpMLineIndex").asInt()).isZero();

        // A payload that claims another sender is refused outright; nothing is relayed.
        int mark = grace.mark();
        ada.sendRaw("{\"type\":\"signal\",\"room\":\"" + room + "\",\"to\":\"" + grace.sessionId()
                + "\",\"from\":{\"sessionId\":\"s_forged\"},\"description\":{\"type\":\"offer\",\"sdp\":\"" + SDP.replace("\r\n", "\\r\\n") + "\"}}");
        ada.expectError("bad_message");
        assertThat(grace.receivedSince(mark, "signal")).isEmpty();
    }

    @Test
    void a_signal_to_anyone_outside_the_senders_call_is_refused_and_never_delivered() {
        server = TestServer.start();
        String room = room("ours");
        String other = room("theirs");
        WsClient ada = inRoom("Ada", room);
        WsClient grace = inRoom("Grace", room);
        WsClient bystander = inRoom("Bystander", room);
        WsClient stranger = inRoom("Stranger", other);
        joinCall(ada, room);
        joinCall(grace, room);
        joinCall(stranger, other);
        int bystanderMark = bystander.mark();
        int strangerMark = stranger.mark();
        int adaMark = ada.mark();

        ada.send(offer(bystander.sessionId(), room));
        ada.expectError("no_such_participant");
        ada.send(offer(stranger.sessionId(), room));
        ada.expectError("no_such_participant");
        ada.send(offer(stranger.sessionId(), other));
        ada.expectError("not_joined");
        ada.send(offer(ada.sessionId(), room));
        ada.expectError("no_such_participant");
        bystander.send(offer(ada.sessionId(), room));
        bystander.expectError("not_in_call");

        assertThat(bystander.receivedSince(bystanderMark, "signal")).isEmpty();
        assertThat(stranger.receivedSince(strangerMark, "signal")).isEmpty();
        assertThat(ada.receivedSince(adaMark, "signal")).isEmpty();
    }

    @Test
    void garbage_or_oversize_sdp_is_refused_with_a_clear_error() {
        Pair pair = pairInCall("sdp");
        String room = pair.room();
        WsClient ada = pair.ada();
        WsClient grace = pair.grace();
        int mark = grace.mark();
        for (String bad : List.of("hello world", "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n", "<script>alert(1)</script>",
                SDP + "a=" + "x".repeat(40_000) + "\r\n")) {
            ada.send(WsClient.message("signal", "room", room, "to", grace.sessionId(), "description", Map.of("type", "offer", "sdp", bad)));
            assertThat(ada.expectError("bad_message").get("message").asText()).contains("sdp");
        }
        ada.send(WsClient.message("signal", "room", room, "to", grace.sessionId(), "description", Map.of("type", "bogus", "sdp", SDP)));
        ada.expectError("bad_message");
        assertThat(grace.receivedSince(mark, "signal")).isEmpty();
    }

    @Test
    void when_a_socket_closes_the_call_forgets_it_and_the_call_ends_with_its_last_participant() {
        Pair pair = pairInCall("drops");
        String room = pair.room();
        WsClient ada = pair.ada();
        WsClient grace = pair.grace();
        WsClient watcher = inRoom("Watcher", room);
        // Ada's own "call of 1" from when she joined may still be unread: take it, up to the call of 2.
        ada.expect(m -> m.path("type").asText().equals("call") && m.get("participants").size() == 2, "call of 2");

        grace.close(); // the tab closed: a close frame, so no grace period
        assertThat(sessions(ada.expect(m -> m.path("type").asText().equals("call") && m.get("participants").size() == 1, "call of 1")
                .get("participants"))).containsExactly(ada.sessionId());
        ada.send(offer(grace.sessionId(), room));
        ada.expectError("no_such_participant");

        ada.send("call_leave", "room", room);
        ada.expect("call_left");
        watcher.expect(m -> m.path("type").asText().equals("call") && m.get("participants").isEmpty(), "an empty call");

        JsonNode fresh = joinCall(ada, room);
        assertThat(fresh.at("/you/order").asInt()).as("a new call starts counting again").isEqualTo(1);
    }

    @Test
    void what_a_participant_sends_is_shown_to_the_room() {
        Pair pair = pairInCall("media");
        pair.ada().send("call_media", "room", pair.room(), "audio", false, "video", true, "screen", false);
        JsonNode ada = pair.grace().expect(m -> m.path("type").asText().equals("call")
                && m.get("participants").get(0).get("video").asBoolean(), "Ada's camera on").get("participants").get(0);
        assertThat(ada.get("sessionId").asText()).isEqualTo(pair.ada().sessionId());
        assertThat(ada.get("audio").asBoolean()).as("muted").isFalse();
        WsClient outsider = inRoom("Outsider", pair.room());
        outsider.send("call_media", "room", pair.room(), "audio", true, "video", true, "screen", false);
        outsider.expectError("not_in_call");
    }

    @Test
    void a_call_beyond_call_max_is_refused_with_call_full() {
        server = TestServer.start("--call-max", "2");
        String room = room("small");
        WsClient a = inRoom("A", room);
        WsClient b = inRoom("B", room);
        WsClient c = inRoom("C", room);
        joinCall(a, room);
        joinCall(b, room);
        c.send("call_join", "room", room);
        assertThat(c.expectError("call_full").get("message").asText()).contains("2");
    }

    @Test
    void turn_credentials_follow_the_turn_rest_scheme_that_coturn_checks() throws Exception {
        server = TestServer.start("--stun-urls", "stun:127.0.0.1:3478", "--turn-urls", "turn:127.0.0.1:3478?transport=udp",
                "--turn-secret", "s3cret", "--turn-ttl", "600", "--ice-relay-only", "true");
        String room = room("turn");
        WsClient ada = inRoom("Ada", room);
        long now = System.currentTimeMillis() / 1000;
        JsonNode joined = joinCall(ada, room);
        JsonNode ice = joined.get("iceServers");
        assertThat(joined.get("iceTransportPolicy").asText()).as("ice-relay-only").isEqualTo("relay");

        assertThat(ice.get(0).get("urls").get(0).asText()).isEqualTo("stun:127.0.0.1:3478");
        assertThat(ice.get(0).has("credential")).isFalse();
        JsonNode turn = ice.get(1);
        assertThat(turn.get("urls").get(0).asText()).isEqualTo("turn:127.0.0.1:3478?transport=udp");
        String username = turn.get("username").asText();
        String[] parts = username.split(":");
        assertThat(parts[1]).isEqualTo(ada.userId());
        assertThat(Long.parseLong(parts[0])).isBetween(now + 600 - 5, now + 600 + 5);
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec("s3cret".getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        assertThat(turn.get("credential").asText())
                .isEqualTo(Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8))));
    }

    private static boolean isCallOrPresence(JsonNode m) {
        String type = m.path("type").asText();
        return type.equals("call") || type.equals("presence");
    }

    @Test
    void a_participant_whose_connection_drops_and_comes_back_within_the_grace_period_never_left() {
        server = TestServer.start();
        try (TcpProxy network = new TcpProxy(server.port())) {
            Pair pair = pairInCallThrough(network, "blip");
            String room = pair.room();
            WsClient ada = pair.ada();
            WsClient grace = pair.grace();
            ada.sync();
            int mark = ada.mark();

            // The network failed: the connection is reset, no close frame. The server may or may not have seen it
            // yet when Grace comes back; either way she takes her session up again (the signals kept meanwhile:
            // see HubTest).
            network.cut();

            // Someone else cannot take the session over.
            WsClient thief = WsClient.hello(server.port(), "Mallory", grace.sessionId());
            clients.add(thief);
            assertThat(thief.sessionId()).isNotEqualTo(grace.sessionId());

            WsClient back = WsClient.withCookie(server.port(), grace.cookie(), grace.sessionId());
            clients.add(back);
            assertThat(back.sessionId()).isEqualTo(grace.sessionId());
            ada.send(offer(grace.sessionId(), room));
            assertThat(back.expect("signal").at("/from/sessionId").asText()).isEqualTo(ada.sessionId());

            back.send("join", "room", room);
            assertThat(sessions(back.expect("joined").get("call"))).containsExactly(ada.sessionId(), grace.sessionId());
            assertThat(joinCall(back, room).at("/you/order").asInt()).as("the same place in the call").isEqualTo(2);
            back.send(offer(ada.sessionId(), room));
            assertThat(ada.expect("signal").at("/from/sessionId").asText()).isEqualTo(grace.sessionId());
            assertThat(ada.received().subList(mark, ada.received().size())).noneMatch(CallSignallingTest::isCallOrPresence);
        }
    }

    /** A room with Ada and Grace in its call, Grace's connection through {@code network}, which the test can cut. */
    private Pair pairInCallThrough(TcpProxy network, String roomName) {
        String room = room(roomName);
        WsClient ada = inRoom("Ada", room);
        WsClient grace = WsClient.withCookie(network.port(), TestAccounts.cookie(server.port(), "Grace"), null);
        clients.add(grace);
        grace.send("join", "room", room);
        grace.expect("joined");
        joinCall(ada, room);
        joinCall(grace, room);
        return new Pair(room, ada, grace);
    }

    @Test
    void a_participant_whose_socket_its_own_system_closes_without_a_close_frame_leaves_the_call_at_once() {
        server = TestServer.start("--call-grace", "600");
        String room = room("crash");
        WsClient ada = inRoom("Ada", room);
        WsClient grace = inRoom("Grace", room);
        joinCall(ada, room);
        joinCall(grace, room);
        ada.expect(m -> m.path("type").asText().equals("call") && m.get("participants").size() == 2, "call of 2");

        // Grace's browser crashed: her operating system ends the connection in order (FIN), with no close frame.
        grace.abort();
        assertThat(sessions(ada.expect(m -> m.path("type").asText().equals("call") && m.get("participants").size() == 1,
                "call of 1").get("participants"))).as("long before the grace period ends").containsExactly(ada.sessionId());
    }

    @Test
    void a_socket_whose_session_was_resumed_elsewhere_is_closed_by_its_next_frame_which_changes_nothing() {
        Pair pair = pairInCall("taken");
        String room = pair.room();
        WsClient ada = pair.ada();
        WsClient grace = pair.grace();
        ada.sync();
        int mark = ada.mark();

        // Grace's new connection resumes her session while the server still takes her old socket for alive.
        WsClient back = WsClient.withCookie(server.port(), grace.cookie(), grace.sessionId());
        clients.add(back);
        assertThat(back.sessionId()).isEqualTo(grace.sessionId());

        grace.send("leave", "room", room);
        assertThat(grace.closeCode()).isEqualTo(4001);
        ada.send(offer(grace.sessionId(), room));
        assertThat(back.expect("signal").at("/from/sessionId").asText()).as("still in the room and its call").isEqualTo(ada.sessionId());
        assertThat(ada.received().subList(mark, ada.received().size())).noneMatch(CallSignallingTest::isCallOrPresence);
    }

    @Test
    void past_the_grace_period_a_dropped_participant_leaves_and_a_resume_starts_afresh() {
        server = TestServer.start("--call-grace", "1");
        try (TcpProxy network = new TcpProxy(server.port())) {
            Pair pair = pairInCallThrough(network, "gone");
            WsClient ada = pair.ada();
            WsClient grace = pair.grace();

            network.cut();
            assertThat(sessions(ada.expect(m -> m.path("type").asText().equals("call") && m.get("participants").size() == 1,
                    "call of 1").get("participants"))).containsExactly(ada.sessionId());
            ada.expect(m -> m.path("type").asText().equals("presence") && m.path("event").asText().equals("leave"), "Grace left");

            WsClient late = WsClient.withCookie(server.port(), grace.cookie(), grace.sessionId());
            clients.add(late);
            assertThat(late.sessionId()).isNotEqualTo(grace.sessionId());
        }
    }
}
