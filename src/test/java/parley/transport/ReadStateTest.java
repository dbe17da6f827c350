package parley.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import parley.testing.TestServer;
import parley.testing.WsClient;

/** Read markers, mentions and notification levels, against the real server over real WebSockets. */
class ReadStateTest {
    private TestServer server;
    private final List<WsClient> clients = new ArrayList<>();

    private void start(String... settings) {
        server = TestServer.start(settings);
    }

    @AfterEach
    void stop() {
        clients.forEach(WsClient::close);
        if (server != null) server.close();
    }

    private WsClient hello(String name) {
        WsClient c = server.hello(name);
        clients.add(c);
        return c;
    }

    private static String create(WsClient c, String name, boolean isPrivate) {
        JsonNode reply = ask(c, "create_room", "name", name, "private", isPrivate);
        return reply.at("/room/id").asText();
    }

    private static void join(WsClient c, String room) {
        assertThat(ask(c, "join", "room", room).path("type").asText()).isEqualTo("joined");
    }

    private static JsonNode ask(WsClient c, String type, Object... fields) {
        return c.ask(type, fields);
    }

    /** Grace's new public room {@code name}, which she and Ada have joined. */
    private String sharedRoom(WsClient grace, WsClient ada, String name) {
        String room = create(grace, name, false);
        join(grace, room);
        join(ada, room);
        return room;
    }

    private static long say(WsClient c, String room, String text) {
        JsonNode ack = ask(c, "send", "room", room, "clientId", "c-" + System.nanoTime(), "text", text);
        assertThat(ack.path("type").asText()).as("%s", ack).isEqualTo("ack");
        return ack.get("seq").asLong();
    }

    private static JsonNode read(WsClient c, String room, long seq) {
        JsonNode reply = ask(c, "read", "room", room, "seq", seq);
        assertThat(reply.path("type").asText()).as("%s", reply).isEqualTo("read");
        return reply;
    }

    private static JsonNode listed(WsClient c, String room) {
        JsonNode rooms = ask(c, "list_rooms").get("rooms");
        return StreamSupport.stream(rooms.spliterator(), false).filter(r -> room.equals(r.path("id").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("room " + room + " not in " + rooms));
    }

    private static JsonNode messageEvent(WsClient c, long seq) {
        return c.expect(m -> "message".equals(m.path("type").asText()) && m.path("seq").asLong() == seq, "message " + seq);
    }

    @Test
    void a_marker_moves_forward_only_and_a_seq_beyond_the_last_is_taken_as_the_last() {
        start();
        WsClient grace = hello("Grace");
        WsClient ada = hello("Ada");
        String room = sharedRoom(grace, ada, "forward");
        for (int i = 1; i <= 4; i++) say(grace, room, "message " + i);

        JsonNode at2 = read(ada, room, 2);
        assertThat(at2.get("seq").asLong()).isEqualTo(2);
        assertThat(at2.get("unread").asInt()).isEqualTo(2);
        assertThat(at2.get("lastSeq").asLong()).isEqualTo(4);

        JsonNode back = read(ada, room, 1);
        assertThat(back.get("seq").asLong()).as("a marker never goes back").isEqualTo(2);
        assertThat(back.get("unread").asInt()).isEqualTo(2);

        JsonNode beyond = read(ada, room, 1000);
        assertThat(beyond.get("seq").asLong()).as("clamped to the room's last seq").isEqualTo(4);
        assertThat(beyond.get("unread").asInt()).isZero();
        assertThat(listed(ada, room).get("read").asLong()).isEqualTo(4);
    }

    @Test
    void the_accounts_other_sessions_are_told_and_another_account_is_not() {
        start();
        WsClient grace = hello("Grace");
        WsClient ada = hello("Ada");
        WsClient adaElsewhere = hello("Ada"); // a second tab or device, not joined to the room
        String room = sharedRoom(grace, ada, "told");
        long seq = say(grace, room, "hello");
        say(grace, room, "and again");
        int graceMark = grace.mark();

        read(ada, room, seq);
        JsonNode told = adaElsewhere.expect("read");
        assertThat(told.get("room").asText()).isEqualTo(room);
        assertThat(told.get("seq").asLong()).isEqualTo(seq);
        assertThat(told.get("unread").asInt()).isEqualTo(1);
        assertThat(told.has("ref")).isFalse();
        assertThat(grace.receivedSince(graceMark, "read")).as("another account hears nothing").isEmpty();

        int adaMark = ada.mark();
        int elsewhereMark = adaElsewhere.mark();
        read(ada, room, seq); // no move: no one is told
        assertThat(ada.receivedSince(adaMark, "read")).hasSize(1); // the reply alone
        assertThat(adaElsewhere.receivedSince(elsewhereMark, "read")).isEmpty();
    }

    @Test
    void a_room_one_may_not_see_or_has_not_joined_is_refused() {
        start();
        WsClient grace = hello("Grace");
        WsClient ada = hello("Ada");
        String secret = create(grace, "secret", true);
        join(grace, secret);
        say(grace, secret, "nobody else here");
        String open = create(grace, "open", false);

        JsonNode hidden = ask(ada, "read", "room", secret, "seq", 1);
        assertThat(hidden.get("code").asText()).isEqualTo("no_such_room");
        JsonNode notJoined = ask(ada, "read", "room", open, "seq", 1);
        assertThat(notJoined.get("code").asText()).isEqualTo("not_joined");
        assertThat(ask(ada, "read", "room", open, "seq", -1).get("code").asText()).isEqualTo("bad_message");
        assertThat(ask(ada, "notify", "room", secret, "level", "all").get("code").asText()).isEqualTo("no_such_room");
        assertThat(ask(ada, "notify", "room", open, "level", "loud").get("code").asText()).isEqualTo("bad_message");
    }

    @Test
    void the_rooms_list_after_a_reconnect_counts_only_others_messages_after_the_marker() {
        start();
        WsClient grace = hello("Grace");
        WsClient ada = hello("Ada");
        String room = sharedRoom(grace, ada, "counted");
        long first = say(grace, room, "one");
        say(ada, room, "my own, never unread");
        long two = say(grace, room, "two");
        say(grace, room, "three @ada");
        JsonNode reaction = ask(grace, "react", "room", room, "clientId", "r1", "target", two, "emoji", "👍");
        assertThat(reaction.path("type").asText()).isEqualTo("ack");
        JsonNode edit = ask(grace, "edit", "room", room, "clientId", "e1", "target", first, "text", "one, edited");
        assertThat(edit.path("type").asText()).isEqualTo("ack");
        read(ada, room, first);
        ada.close();

        WsClient back = hello("Ada");
        JsonNode listed = listed(back, room);
        assertThat(listed.get("read").asLong()).isEqualTo(first);
        assertThat(listed.get("unread").asInt()).as("two and three: not her own, not the reaction or the edit").isEqualTo(2);
        assertThat(listed.get("mentions").asInt()).isEqualTo(1);
        assertThat(listed.get("notify").asText()).as("the default of a public room").isEqualTo("mentions");

        JsonNode untouched = listed(back, create(grace, "untouched", false));
        assertThat(untouched.get("read").asLong()).isZero();
        assertThat(untouched.get("unread").asInt()).isZero();
    }

    @Test
    void the_server_decides_whom_a_message_mentions() {
        start();
        WsClient grace = hello("Grace");
        WsClient ada = hello("Ada");
        hello("Bob");
        String room = sharedRoom(grace, ada, "mentions");
        long seq = say(grace, room, "@ADA, @room: ask @nobody, not ada@example.com, and thanks @Bob.");

        JsonNode m = messageEvent(ada, seq);
        assertThat(m.get("mentionsRoom").asBoolean()).isTrue();
        assertThat(m.get("mentions")).hasSize(2);
        assertThat(m.at("/mentions/0/username").asText()).isEqualTo("Ada");
        assertThat(m.at("/mentions/0/userId").asText()).isEqualTo(ada.userId());
        assertThat(m.at("/mentions/1/username").asText()).isEqualTo("Bob");

        JsonNode page = ask(ada, "history", "room", room);
        JsonNode stored = page.get("messages").get(page.get("messages").size() - 1);
        assertThat(stored.get("mentions")).isEqualTo(m.get("mentions"));
        assertThat(stored.get("mentionsRoom").asBoolean()).isTrue();

        long plain = say(grace, room, "no one here, not even @nobody");
        JsonNode none = messageEvent(ada, plain);
        assertThat(none.has("mentions")).isFalse();
        assertThat(none.has("mentionsRoom")).isFalse();

        JsonNode deleted = ask(grace, "delete", "room", room, "clientId", "d1", "target", seq);
        assertThat(deleted.path("type").asText()).isEqualTo("ack");
        JsonNode after = ask(ada, "history", "room", room).get("messages");
        JsonNode tombstone = StreamSupport.stream(after.spliterator(), false).filter(x -> x.get("seq").asLong() == seq).findFirst().orElseThrow();
        assertThat(tombstone.has("mentions")).as("a deletion takes the mentions away").isFalse();
    }

    @Test
    void a_mention_in_a_private_room_of_someone_outside_it_is_no_mention() {
        start();
        WsClient grace = hello("Grace");
        WsClient ada = hello("Ada");
        WsClient bob = hello("Bob");
        String room = create(grace, "inner-circle", true);
        assertThat(ask(grace, "invite", "room", room, "user", bob.userId()).path("type").asText()).isEqualTo("member");
        join(grace, room);
        join(bob, room);
        long seq = say(grace, room, "@ada must not learn of this, @bob may");

        JsonNode m = messageEvent(bob, seq);
        assertThat(m.get("mentions")).hasSize(1);
        assertThat(m.at("/mentions/0/userId").asText()).isEqualTo(bob.userId());
        JsonNode rooms = ask(ada, "list_rooms").get("rooms");
        assertThat(StreamSupport.stream(rooms.spliterator(), false).map(r -> r.get("id").asText())).doesNotContain(room);
        assertThat(listed(bob, room).get("mentions").asInt()).isEqualTo(1);
    }

    @Test
    void a_notification_level_follows_the_account_and_defaults_by_kind() {
        start();
        WsClient grace = hello("Grace");
        WsClient ada = hello("Ada");
        WsClient adaElsewhere = hello("Ada");
        String room = create(grace, "levels", false);
        JsonNode direct = ask(ada, "direct", "user", grace.userId());
        String dm = direct.at("/room/id").asText();
        assertThat(listed(ada, dm).get("notify").asText()).isEqualTo("all");
        assertThat(listed(ada, room).get("notify").asText()).isEqualTo("mentions");

        JsonNode reply = ask(ada, "notify", "room", room, "level", "none");
        assertThat(reply.path("type").asText()).isEqualTo("notify");
        assertThat(reply.get("level").asText()).isEqualTo("none");
        JsonNode told = adaElsewhere.expect("notify");
        assertThat(told.get("room").asText()).isEqualTo(room);
        assertThat(told.get("level").asText()).isEqualTo("none");
        assertThat(listed(adaElsewhere, room).get("notify").asText()).isEqualTo("none");
        assertThat(listed(grace, room).get("notify").asText()).as("another account keeps its own").isEqualTo("mentions");
    }

    @Test
    void a_marker_waiting_to_be_written_is_written_when_the_server_stops() {
        start("--read-marker-delay", "60000");
        WsClient grace = hello("Grace");
        WsClient ada = hello("Ada");
        String room = sharedRoom(grace, ada, "kept");
        say(grace, room, "one");
        long two = say(grace, room, "two");
        read(ada, room, two);
        clients.forEach(WsClient::close);
        clients.clear();

        server = server.restart();
        assertThat(listed(hello("Ada"), room).get("read").asLong()).isEqualTo(two);
    }

    @Test
    void unread_count_max_bounds_the_count_to_the_latest_messages() {
        start("--unread-count-max", "3");
        WsClient grace = hello("Grace");
        WsClient ada = hello("Ada");
        String room = create(grace, "busy", false);
        join(grace, room);
        say(grace, room, "@ada an old mention, beyond the count");
        for (int i = 0; i < 5; i++) say(grace, room, "news " + i);

        JsonNode listed = listed(ada, room);
        assertThat(listed.get("unread").asInt()).isEqualTo(3);
        assertThat(listed.get("mentions").asInt()).isZero();
        assertThat(ada.received("welcome").getFirst().at("/limits/unreadCountMax").asInt()).isEqualTo(3);
    }
}
