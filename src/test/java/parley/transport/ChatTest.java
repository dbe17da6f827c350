package parley.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import parley.testing.TestServer;
import parley.testing.WsClient;

/** The chat path against the real server over real WebSockets. */
class ChatTest {
    private TestServer server;
    private final List<WsClient> clients = new ArrayList<>();

    @BeforeEach
    void start() {
        server = TestServer.start();
    }

    @AfterEach
    void stop() {
        clients.forEach(WsClient::close);
        server.close();
    }

    private WsClient hello(String name) {
        WsClient c = server.hello(name);
        clients.add(c);
        return c;
    }

    private String createRoom(WsClient c, String name) {
        c.send("create_room", "name", name, "topic", "about " + name, "ref", "c1");
        JsonNode added = c.expect("room_added");
        assertThat(added.get("ref").asText()).isEqualTo("c1");
        return added.at("/room/id").asText();
    }

    private static void join(WsClient c, String room) {
        c.send("join", "room", room);
        c.expect("joined");
    }

    @Test
    void a_new_server_has_a_general_room_and_new_rooms_are_announced_to_everyone() {
        WsClient ada = hello("Ada");
        WsClient grace = hello("Grace");
        ada.send("list_rooms");
        assertThat(ada.expect("rooms").get("rooms")).extracting(r -> r.get("name").asText()).containsExactly("general");

        String design = createRoom(ada, "design");
        JsonNode seen = grace.expect("room_added");
        assertThat(seen.at("/room/id").asText()).isEqualTo(design);
        assertThat(seen.at("/room/topic").asText()).isEqualTo("about design");

        grace.send("list_rooms");
        assertThat(grace.expect("rooms").get("rooms")).extracting(r -> r.get("name").asText()).containsExactly("design", "general");
    }

    @Test
    void a_message_is_acknowledged_with_its_sequence_number_then_delivered_to_every_member() {
        WsClient ada = hello("Ada");
        WsClient grace = hello("Grace");
        String room = createRoom(ada, "ops");
        join(ada, room);
        join(grace, room);

        ada.send("send", "room", room, "clientId", "m-1", "text", "deploy at 5", "ref", "s1");
        JsonNode ack = ada.expect("ack");
        assertThat(ack.get("seq").asLong()).isEqualTo(1);
        assertThat(ack.get("ref").asText()).isEqualTo("s1");
        assertThat(ack.get("duplicate").asBoolean()).isFalse();
        assertThat(ack.has("file")).as("a text message's ack has no file").isFalse();
        JsonNode own = ada.expect("message");
        assertThat(ada.received().indexOf(ack)).isLessThan(ada.received().indexOf(own));

        JsonNode m = grace.expect("message");
        assertThat(m.get("seq").asLong()).isEqualTo(1);
        assertThat(m.get("text").asText()).isEqualTo("deploy at 5");
        assertThat(m.at("/from/userId").asText()).isEqualTo(ada.userId());
        assertThat(m.at("/from/name").asText()).isEqualTo("Ada");
    }

    @Test
    void presence_and_typing_reach_the_others_in_the_room_only() {
        WsClient ada = hello("Ada");
        WsClient grace = hello("Grace");
        WsClient outsider = hello("Linus");
        String room = createRoom(ada, "ops");
        join(ada, room);

        grace.send("join", "room", room);
        JsonNode joined = grace.expect("joined");
        assertThat(joined.get("members")).extracting(x -> x.get("name").asText()).containsExactly("Ada", "Grace");
        JsonNode presence = ada.expect("presence");
        assertThat(presence.get("event").asText()).isEqualTo("join");
        assertThat(presence.at("/member/sessionId").asText()).isEqualTo(grace.sessionId());

        int adaMark = ada.mark();
        int outsiderMark = outsider.mark();
        grace.send("typing", "room", room, "active", true);
        JsonNode typing = ada.expect("typing");
        assertThat(typing.at("/from/name").asText()).isEqualTo("Grace");
        assertThat(typing.get("active").asBoolean()).isTrue();
        assertThat(grace.receivedSince(0, "typing")).as("no echo to the typist").isEmpty();
        assertThat(outsider.receivedSince(outsiderMark, "typing")).isEmpty();

        grace.send("leave", "room", room, "ref", "l1");
        assertThat(grace.expect("left").get("ref").asText()).isEqualTo("l1");
        assertThat(ada.expect("presence").get("event").asText()).isEqualTo("leave");
        assertThat(ada.receivedSince(adaMark, "typing")).hasSize(1);
    }

    @Test
    void when_a_socket_drops_the_others_see_the_person_leave_and_the_member_list_forgets_them() {
        WsClient ada = hello("Ada");
        WsClient grace = hello("Grace");
        String room = createRoom(ada, "ops");
        join(ada, room);
        join(grace, room);
        ada.expect("presence");

        grace.abort();
        JsonNode left = ada.expect("presence");
        assertThat(left.get("event").asText()).isEqualTo("leave");
        assertThat(left.at("/member/sessionId").asText()).isEqualTo(grace.sessionId());

        WsClient linus = hello("Linus");
        linus.send("join", "room", room);
        assertThat(linus.expect("joined").get("members")).extracting(x -> x.get("name").asText()).containsExactly("Ada", "Linus");
        linus.send("list_rooms");
        JsonNode listed = linus.expect("rooms");
        assertThat(listed.get("rooms")).filteredOn(r -> r.get("id").asText().equals(room))
                .extracting(r -> r.get("online").asInt()).containsExactly(2);
    }

    @Test
    void concurrent_senders_produce_one_gapless_order_that_every_member_and_history_share() throws Exception {
        int senders = 4;
        int perSender = 150;
        WsClient watcher = hello("Watcher");
        String room = createRoom(watcher, "busy");
        join(watcher, room);
        List<WsClient> writers = new ArrayList<>();
        for (int i = 0; i < senders; i++) {
            WsClient w = hello("writer" + i);
            join(w, room);
            writers.add(w);
        }
        ExecutorService pool = Executors.newFixedThreadPool(senders);
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < senders; i++) {
            WsClient w = writers.get(i);
            int n = i;
            done.add(pool.submit(() -> {
                for (int k = 0; k < perSender; k++) w.send("send", "room", room, "clientId", n + "-" + k, "text", "w" + n + " #" + k);
            }));
        }
        for (Future<?> f : done) f.get();
        pool.shutdown();

        int total = senders * perSender;
        List<WsClient> members = new ArrayList<>(writers);
        members.add(watcher);
        List<String> order = null;
        for (WsClient member : members) {
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                JsonNode m = member.expect("message");
                assertThat(m.get("seq").asLong()).as("gapless, in order").isEqualTo(i + 1);
                seen.add(m.get("clientId").asText());
            }
            if (order == null) order = seen;
            assertThat(seen).as("the same order for every member").isEqualTo(order);
        }
        for (WsClient w : writers) {
            assertThat(w.received("ack")).hasSize(perSender).allMatch(a -> !a.get("duplicate").asBoolean());
        }

        List<String> history = new ArrayList<>();
        Long before = null;
        while (true) {
            if (before == null) watcher.send("history", "room", room, "limit", 200);
            else watcher.send("history", "room", room, "limit", 200, "before", before);
            JsonNode page = watcher.expect("history");
            List<String> ids = new ArrayList<>();
            page.get("messages").forEach(m -> ids.add(m.get("clientId").asText()));
            history.addAll(0, ids);
            if (!page.get("hasMore").asBoolean()) break;
            before = page.get("messages").get(0).get("seq").asLong();
        }
        assertThat(history).as("history in the same order").isEqualTo(order);
    }

    @Test
    void history_pages_backwards_by_sequence_number() {
        WsClient ada = hello("Ada");
        String room = createRoom(ada, "log");
        join(ada, room);
        sayAndWait(ada, room, 12);
        ada.send("history", "room", room, "limit", 5);
        JsonNode latest = ada.expect("history");
        assertThat(seqs(latest)).containsExactly(8L, 9L, 10L, 11L, 12L);
        assertThat(latest.get("hasMore").asBoolean()).isTrue();
        ada.send("history", "room", room, "limit", 5, "before", 8);
        assertThat(seqs(ada.expect("history"))).containsExactly(3L, 4L, 5L, 6L, 7L);
        ada.send("history", "room", room, "limit", 5, "before", 3);
        JsonNode first = ada.expect("history");
        assertThat(seqs(first)).containsExactly(1L, 2L);
        assertThat(first.get("hasMore").asBoolean()).isFalse();
    }

    /** Sends "line 1" to "line n" with client ids c1 to cn, each acknowledged before the next. */
    private static void sayAndWait(WsClient c, String room, int n) {
        for (int i = 1; i <= n; i++) {
            c.send("send", "room", room, "clientId", "c" + i, "text", "line " + i);
            c.expect("ack");
        }
    }

    static List<Long> seqs(JsonNode page) {
        List<Long> out = new ArrayList<>();
        page.get("messages").forEach(m -> out.add(m.get("seq").asLong()));
        return out;
    }

    @Test
    void a_retried_client_id_returns_the_original_sequence_number_and_stores_nothing_new() {
        WsClient ada = hello("Ada");
        WsClient grace = hello("Grace");
        String room = createRoom(ada, "ops");
        join(ada, room);
        join(grace, room);
        ada.send("send", "room", room, "clientId", "same", "text", "once");
        JsonNode first = ada.expect("ack");
        assertThat(first.get("seq").asLong()).isEqualTo(1);
        ada.send("send", "room", room, "clientId", "other", "text", "twice");
        ada.expect("ack");
        grace.expect(m -> m.path("seq").asLong() == 2, "message 2");

        int mark = grace.mark();
        ada.send("send", "room", room, "clientId", "same", "text", "once");
        JsonNode retry = ada.expect("ack");
        assertThat(retry.get("seq").asLong()).isEqualTo(1);
        assertThat(retry.get("duplicate").asBoolean()).isTrue();
        // The client id alone says which message it is (protocol.md): other text under it is the first message again.
        ada.send("send", "room", room, "clientId", "same", "text", "on second thought");
        JsonNode changed = ada.expect("ack");
        assertThat(changed.get("duplicate").asBoolean()).isTrue();
        assertThat(changed.get("seq").asLong()).isEqualTo(1);
        assertThat(changed.get("ts").asLong()).as("the first send's time").isEqualTo(first.get("ts").asLong());

        // After a reconnect the same person (the same session, as a browser reconnects) retrying is still a duplicate.
        ada.close();
        WsClient again = WsClient.withCookie(server.port(), ada.cookie(), null);
        clients.add(again);
        assertThat(again.userId()).isEqualTo(ada.userId());
        join(again, room);
        again.send("send", "room", room, "clientId", "same", "text", "once");
        assertThat(again.expect("ack").get("duplicate").asBoolean()).isTrue();

        // Another person may use the same client id: ids are per sender.
        grace.send("send", "room", room, "clientId", "same", "text", "mine");
        assertThat(grace.expect("ack").get("seq").asLong()).isEqualTo(3);
        // The ack comes before the delivery; deliveries are in order, so a copy from a retry would precede 3.
        grace.expect(m -> m.path("type").asText().equals("message") && m.path("seq").asLong() == 3, "message 3");
        assertThat(grace.receivedSince(mark, "message")).extracting(m -> m.get("seq").asLong()).containsExactly(3L);

        again.send("history", "room", room);
        JsonNode history = again.expect("history");
        assertThat(seqs(history)).containsExactly(1L, 2L, 3L);
        assertThat(history.at("/messages/0/text").asText()).as("the text stored is the first one").isEqualTo("once");
    }

    @Test
    void a_client_that_reconnects_gets_what_it_missed_then_live_messages_without_gaps_or_duplicates() {
        WsClient ada = hello("Ada");
        WsClient grace = hello("Grace");
        String room = createRoom(ada, "ops");
        join(ada, room);
        join(grace, room);
        for (int i = 1; i <= 3; i++) grace.send("send", "room", room, "clientId", "g" + i, "text", "before " + i);
        for (int i = 1; i <= 3; i++) assertThat(ada.expect("message").get("seq").asLong()).isEqualTo(i);
        ada.abort();

        for (int i = 4; i <= 20; i++) grace.send("send", "room", room, "clientId", "g" + i, "text", "missed " + i);
        for (int i = 4; i <= 20; i++) grace.expect("ack");

        WsClient back = WsClient.withCookie(server.port(), ada.cookie(), null);
        clients.add(back);
        back.send("join", "room", room, "since", 3);
        back.expect("joined");
        // Live messages sent while the catch-up is read must come after it, once.
        for (int i = 21; i <= 25; i++) grace.send("send", "room", room, "clientId", "g" + i, "text", "live " + i);
        assertThat(LongStream.rangeClosed(4, 25).map(i -> back.expect("message").get("seq").asLong()).boxed().toList())
                .containsExactlyElementsOf(LongStream.rangeClosed(4, 25).boxed().toList());
        assertThat(back.receivedSince(0, "message")).hasSize(22);
    }

    @Test
    void a_client_that_missed_more_than_catchup_max_is_told_to_reload() {
        server.close();
        server = TestServer.start("--catchup-max", "5");
        WsClient ada = hello("Ada");
        assertThat(ada.received("welcome").getFirst().at("/limits/catchupMax").asInt()).as("welcome says catchup-max").isEqualTo(5);
        WsClient grace = hello("Grace");
        String room = createRoom(ada, "ops");
        join(grace, room);
        for (int i = 1; i <= 8; i++) grace.send("send", "room", room, "clientId", "g" + i, "text", "m" + i);
        for (int i = 1; i <= 8; i++) grace.expect("ack");

        ada.send("join", "room", room, "since", 2);
        ada.expect("joined");
        JsonNode reset = ada.expect("reset");
        assertThat(reset.get("lastSeq").asLong()).isEqualTo(8);
        assertThat(ada.receivedSince(0, "message")).isEmpty();
        grace.send("send", "room", room, "clientId", "g9", "text", "after the reset");
        assertThat(ada.expect("message").get("seq").asLong()).isEqualTo(9);
    }

    @Test
    void a_client_that_holds_more_than_the_room_has_is_told_to_reload_instead_of_waiting_in_silence() {
        WsClient ada = hello("Ada");
        String room = createRoom(ada, "restored");
        join(ada, room);
        sayAndWait(ada, room, 2);
        // As after a restore from an older backup: the client says it holds up to 10.
        WsClient back = hello("Ada again");
        back.send("join", "room", room, "since", 10);
        back.expect("joined");
        assertThat(back.expect("reset").get("lastSeq").asLong()).isEqualTo(2);
        ada.send("send", "room", room, "clientId", "c3", "text", "line 3");
        assertThat(back.expect("message").get("seq").asLong()).isEqualTo(3);
    }

    @Test
    void health_says_up_when_storage_answers() {
        var response = server.get("/health");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"status\":\"up\",\"storage\":\"up\"}");
    }
}
