package parley.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import parley.testing.RawWebSocket;
import parley.testing.TestServer;
import parley.testing.WsClient;

/** Private rooms, direct rooms, roles and moderation, against the real server over real WebSockets. */
class RoomsTest {
    private TestServer server;
    private final List<WsClient> clients = new ArrayList<>();

    @BeforeEach
    void startServer() {
        start();
    }

    private void start(String... settings) {
        if (server != null) stop();
        server = TestServer.start(settings);
        hello("Root"); // the first account is the server's admin: the people below are not
    }

    @AfterEach
    void stop() {
        clients.forEach(WsClient::close);
        clients.clear();
        server.close();
        server = null;
    }

    private WsClient hello(String name) {
        WsClient c = server.hello(name);
        clients.add(c);
        return c;
    }

    private static String create(WsClient c, String name, boolean isPrivate) {
        c.send("create_room", "name", name, "private", isPrivate, "ref", "c-" + name);
        JsonNode added = c.expect(m -> "room_added".equals(m.path("type").asText()) && ("c-" + name).equals(m.path("ref").asText()),
                "room_added for " + name);
        return added.at("/room/id").asText();
    }

    private static JsonNode join(WsClient c, String room) {
        c.send("join", "room", room, "ref", "j-" + room);
        return c.expect("joined");
    }

    private static List<String> roomNames(WsClient c) {
        c.send("list_rooms");
        List<String> names = new ArrayList<>();
        c.expect("rooms").get("rooms").forEach(r -> names.add(r.get("name").asText()));
        return names;
    }

    /** What {@code c} is told when it asks this of {@code room}: an error's code and message, or the reply's type. */
    private static String answer(WsClient c, String type, String room, Object... more) {
        Object[] fields = new Object[4 + more.length];
        fields[0] = "room";
        fields[1] = room;
        fields[2] = "ref";
        fields[3] = "probe";
        System.arraycopy(more, 0, fields, 4, more.length);
        c.send(type, fields);
        JsonNode reply = c.expect(m -> "probe".equals(m.path("ref").asText()), "the reply to " + type);
        String message = reply.path("message").asText().replace(room, "<room>");
        return "error".equals(reply.path("type").asText()) ? reply.get("code").asText() + ": " + message : reply.get("type").asText();
    }

    private void invite(WsClient owner, String room, WsClient who) {
        owner.send("invite", "room", room, "user", who.userId(), "ref", "inv");
        JsonNode member = owner.expect("member");
        assertThat(member.path("role").asText()).isEqualTo("member");
    }

    @Test
    void a_private_room_cannot_be_told_from_one_that_does_not_exist_by_anyone_outside_it() {
        WsClient ada = hello("Ada");
        WsClient eve = hello("Eve");
        String board = create(ada, "board", true);
        assertThat(join(ada, board).at("/room/kind").asText()).isEqualTo("private");
        ada.send("send", "room", board, "clientId", "c2", "text", "the secret plan");
        ada.expect("ack");

        assertThat(roomNames(eve)).as("Eve's list").doesNotContain("board");
        String never = "r_" + "x".repeat(24);
        for (Object[] probe : new Object[][] {{"join"}, {"history"}, {"members"}, {"leave"}, {"call_join"}, {"quit"},
                {"delete_room"}, {"invite", "user", eve.userId()}, {"kick", "user", ada.userId()}, {"set_role", "user", eve.userId(), "role", "owner"},
                {"file_link", "file", "f_" + "x".repeat(24)}, {"send", "clientId", "probe-1", "text", "hi"}, {"typing", "active", true},
                {"call_media", "audio", true, "video", false, "screen", false}, {"call_leave"}, {"search", "query", "secret"}}) {
            Object[] more = java.util.Arrays.copyOfRange(probe, 1, probe.length);
            String toPrivate = answer(eve, (String) probe[0], board, more);
            String toNothing = answer(eve, (String) probe[0], never, more);
            assertThat(toPrivate).as(probe[0] + " of a private room vs of no room").isEqualTo(toNothing).startsWith("no_such_room");
        }
        eve.send("signal", "room", board, "to", ada.sessionId(), "description", WsClient.JSON.createObjectNode().put("type", "offer").put("sdp", "v=0\r\n"));
        eve.send("typing", "room", board, "active", true);

        // A public room may take the private room's name: names are unique among public rooms only.
        assertThat(create(eve, "Board", false)).isNotEqualTo(board);
        assertThat(ada.receivedSince(0, "message")).as("nothing of Eve's reached the private room")
                .noneMatch(m -> m.at("/from/userId").asText().equals(eve.userId()));
        assertThat(ada.received("typing")).isEmpty();
        assertThat(ada.received("signal")).isEmpty();
    }

    @Test
    void an_invited_member_sees_the_room_appear_and_talks_in_it_and_once_kicked_reads_nothing_more() {
        WsClient ada = hello("Ada");
        WsClient grace = hello("Grace");
        WsClient graceTab = hello("Grace");
        String board = create(ada, "board", true);
        join(ada, board);
        ada.send("send", "room", board, "clientId", "c1", "text", "before Grace");
        ada.expect("ack");

        invite(ada, board, grace);
        for (WsClient tab : List.of(grace, graceTab)) {
            JsonNode added = tab.expect("room_added");
            assertThat(added.at("/room/id").asText()).isEqualTo(board);
            assertThat(added.at("/room/role").asText()).isEqualTo("member");
        }
        JsonNode joined = join(grace, board);
        assertThat(joined.at("/room/lastSeq").asLong()).isEqualTo(1);
        grace.send("history", "room", board);
        assertThat(grace.expect("history").get("messages")).extracting(m -> m.get("text").asText()).containsExactly("before Grace");
        grace.send("send", "room", board, "clientId", "g1", "text", "hello Ada");
        grace.expect("ack");
        assertThat(ada.expect("message").get("text").asText()).isEqualTo("hello Ada");
        ada.send("members", "room", board);
        assertThat(ada.expect("members").get("members")).extracting(m -> m.get("name").asText() + "/" + m.get("role").asText())
                .containsExactly("Ada/owner", "Grace/member");

        ada.send("kick", "room", board, "user", grace.userId(), "ref", "k");
        JsonNode kicked = ada.expect("member");
        assertThat(kicked.path("reason").asText()).isEqualTo("kicked");
        assertThat(kicked.has("role")).isFalse();
        for (WsClient tab : List.of(grace, graceTab)) {
            JsonNode removed = tab.expect("removed");
            assertThat(removed.get("reason").asText()).isEqualTo("kicked");
            assertThat(removed.at("/by/name").asText()).isEqualTo("Ada");
        }
        assertThat(ada.received("presence")).as("Grace's socket left the room").anyMatch(p -> "leave".equals(p.get("event").asText()));
        int mark = grace.mark();
        ada.send("send", "room", board, "clientId", "c2", "text", "after Grace");
        ada.expect("ack");
        assertThat(answer(grace, "history", board)).as("a former member's history").startsWith("no_such_room");
        assertThat(answer(grace, "join", board)).startsWith("no_such_room");
        assertThat(roomNames(grace)).doesNotContain("board");
        assertThat(grace.receivedSince(mark, "message")).as("nothing after the kick reaches Grace").isEmpty();
        assertThat(server.get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void owners_moderators_and_members_may_do_what_their_role_allows_and_no_more() {
        WsClient ada = hello("Ada");
        WsClient grace = hello("Grace");
        WsClient linus = hello("Linus");
        WsClient alan = hello("Alan");
        String board = create(ada, "board", true);
        for (WsClient c : List.of(grace, linus, alan)) invite(ada, board, c);
        join(grace, board);

        assertThat(answer(linus, "invite", board, "user", ada.userId())).as("a member invites").startsWith("forbidden");
        assertThat(answer(linus, "kick", board, "user", alan.userId())).as("a member kicks").startsWith("forbidden");
        assertThat(answer(grace, "set_role", board, "user", grace.userId(), "role", "owner")).as("a member promotes herself").startsWith("forbidden");

        assertThat(answer(ada, "set_role", board, "user", grace.userId(), "role", "moderator")).isEqualTo("member");
        JsonNode told = grace.expect(m -> "member".equals(m.path("type").asText()) && "moderator".equals(m.path("role").asText()), "Grace made moderator");
        assertThat(told.at("/user/name").asText()).isEqualTo("Grace");
        assertThat(answer(grace, "kick", board, "user", ada.userId())).as("a moderator kicks the owner").startsWith("forbidden");
        assertThat(answer(grace, "delete_room", board)).as("a moderator deletes").startsWith("forbidden");
        assertThat(answer(grace, "set_role", board, "user", linus.userId(), "role", "moderator")).as("a moderator promotes").startsWith("forbidden");
        assertThat(answer(grace, "kick", board, "user", linus.userId())).as("a moderator kicks a member").isEqualTo("member");
        assertThat(answer(grace, "ban", board, "user", alan.userId())).isEqualTo("member");
        assertThat(answer(grace, "invite", board, "user", alan.userId())).as("inviting someone banned").startsWith("forbidden");
        grace.send("members", "room", board);
        JsonNode members = grace.expect("members");
        assertThat(members.get("members")).extracting(m -> m.get("name").asText()).containsExactly("Ada", "Grace");
        assertThat(members.get("banned")).extracting(m -> m.get("name").asText()).containsExactly("Alan");
        assertThat(answer(grace, "unban", board, "user", alan.userId())).isEqualTo("member");
        assertThat(answer(grace, "invite", board, "user", alan.userId())).isEqualTo("member");

        assertThat(answer(ada, "set_role", board, "user", ada.userId(), "role", "member")).as("the last owner steps down").startsWith("bad_state");
        assertThat(answer(ada, "quit", board)).as("the last owner quits").startsWith("bad_state");
        assertThat(answer(ada, "set_role", board, "user", grace.userId(), "role", "owner")).isEqualTo("member");
        assertThat(answer(ada, "quit", board)).isEqualTo("removed");
        assertThat(roomNames(ada)).doesNotContain("board");
        assertThat(answer(grace, "members", board)).isEqualTo("members");
    }

    @Test
    void a_ban_keeps_someone_out_of_a_public_room_until_it_is_lifted_and_the_admin_moderates_every_public_room() {
        WsClient ada = hello("Ada");
        WsClient eve = hello("Eve");
        String lounge = create(ada, "lounge", false);
        join(eve, lounge);

        assertThat(answer(ada, "ban", lounge, "user", eve.userId())).isEqualTo("member");
        assertThat(eve.expect("removed").get("reason").asText()).isEqualTo("banned");
        assertThat(roomNames(eve)).as("a public room stays listed").contains("lounge");
        assertThat(answer(eve, "join", lounge)).startsWith("forbidden");
        assertThat(answer(eve, "send", lounge, "clientId", "e1", "text", "let me in")).startsWith("not_joined");

        WsClient root = hello("Root");
        assertThat(answer(root, "unban", lounge, "user", eve.userId())).as("the admin, as an owner of every public room").isEqualTo("member");
        assertThat(answer(eve, "join", lounge)).isEqualTo("joined");
        assertThat(answer(ada, "set_role", lounge, "user", eve.userId(), "role", "moderator")).isEqualTo("member");
        assertThat(answer(eve, "kick", lounge, "user", root.userId())).as("a moderator kicks the admin").startsWith("forbidden");
        assertThat(answer(root, "delete_room", lounge)).isEqualTo("removed");
        assertThat(eve.expect("removed").get("reason").asText()).isEqualTo("deleted");
        assertThat(ada.expect("removed").get("reason").asText()).isEqualTo("deleted");
        assertThat(roomNames(ada)).doesNotContain("lounge");
        assertThat(answer(ada, "join", lounge)).startsWith("no_such_room");
    }

    /** protocol.md: the room of a joined reply is the room as the list shows it to that person (kind, role, with). */
    @Test
    void the_room_a_join_answers_with_is_the_room_as_its_list_shows_it_role_and_all() {
        WsClient ada = hello("Ada");
        WsClient grace = hello("Grace");
        String board = create(ada, "board", true);
        String lobby = create(ada, "lobby", false);
        invite(ada, board, grace);
        ada.send("direct", "user", grace.userId(), "ref", "dm");
        String dm = ada.expect(m -> "dm".equals(m.path("ref").asText()), "the direct room").at("/room/id").asText();

        for (WsClient who : List.of(ada, grace)) {
            for (String room : List.of(board, lobby, dm)) {
                JsonNode joined = withoutOnline(join(who, room).get("room"));
                who.send("list_rooms", "ref", "l-" + room);
                JsonNode listed = null;
                for (JsonNode r : who.expect(m -> ("l-" + room).equals(m.path("ref").asText()), "rooms").get("rooms")) {
                    if (r.get("id").asText().equals(room)) listed = withoutOnline(r);
                }
                assertThat(joined).as("%s joining %s", who.userId(), room).isEqualTo(listed);
            }
        }
        assertThat(join(grace, board).at("/room/role").asText()).isEqualTo("member");
        assertThat(join(ada, board).at("/room/role").asText()).isEqualTo("owner");
    }

    /**
     * A room as shown, but for how many are in it now (a join changes that) and the person's read state
     * (which only `rooms` carries: docs/protocol.md, "Read state").
     */
    private static JsonNode withoutOnline(JsonNode room) {
        return ((ObjectNode) room.deepCopy()).without(List.of("online", "read", "unread", "mentions", "notify"));
    }

    @Test
    void a_direct_room_is_shared_by_two_people_only_found_again_and_not_moderated() {
        WsClient ada = hello("Ada Lovelace");
        WsClient grace = hello("Grace Hopper");
        WsClient eve = hello("Eve");

        ada.send("find_users", "query", "hop");
        assertThat(ada.expect("users").get("users")).extracting(u -> u.get("name").asText()).containsExactly("Grace Hopper");
        ada.send("direct", "user", grace.userId(), "ref", "d1");
        JsonNode mine = ada.expect("room_added");
        assertThat(mine.path("ref").asText()).isEqualTo("d1");
        assertThat(mine.at("/room/kind").asText()).isEqualTo("direct");
        assertThat(mine.at("/room/name").asText()).isEqualTo("Grace Hopper");
        String dm = mine.at("/room/id").asText();
        JsonNode theirs = grace.expect("room_added");
        assertThat(theirs.at("/room/id").asText()).isEqualTo(dm);
        assertThat(theirs.at("/room/name").asText()).isEqualTo("Ada Lovelace");
        assertThat(theirs.at("/room/with/userId").asText()).isEqualTo(ada.userId());

        grace.send("direct", "user", ada.userId(), "ref", "d2");
        assertThat(grace.expect("room_added").at("/room/id").asText()).as("the same room, opened again").isEqualTo(dm);
        join(ada, dm);
        join(grace, dm);
        ada.send("send", "room", dm, "clientId", "a1", "text", "just us");
        assertThat(grace.expect("message").get("text").asText()).isEqualTo("just us");

        assertThat(answer(eve, "join", dm)).startsWith("no_such_room");
        assertThat(answer(ada, "invite", dm, "user", eve.userId())).startsWith("bad_state");
        assertThat(answer(ada, "kick", dm, "user", grace.userId())).startsWith("bad_state");
        assertThat(answer(ada, "delete_room", dm)).startsWith("bad_state");
        ada.send("direct", "user", ada.userId(), "ref", "self");
        ada.expectError("bad_state");
        ada.send("direct", "user", "u_nobody", "ref", "nobody");
        ada.expectError("no_such_user");
        eve.send("list_rooms");
        assertThat(eve.expect("rooms").get("rooms")).noneMatch(r -> r.get("id").asText().equals(dm));
    }

    @Test
    void membership_roles_and_bans_outlive_a_restart() {
        WsClient ada = hello("Ada");
        WsClient grace = hello("Grace");
        WsClient eve = hello("Eve");
        String board = create(ada, "board", true);
        invite(ada, board, grace);
        answer(ada, "set_role", board, "user", grace.userId(), "role", "moderator");
        String lounge = create(ada, "lounge", false);
        answer(ada, "ban", lounge, "user", eve.userId());
        ada.send("direct", "user", grace.userId());
        String dm = ada.expect("room_added").at("/room/id").asText();

        clients.forEach(WsClient::close);
        clients.clear();
        server = server.restart();
        WsClient grace2 = hello("Grace");
        WsClient eve2 = hello("Eve");
        grace2.send("list_rooms");
        JsonNode rooms = grace2.expect("rooms").get("rooms");
        assertThat(rooms).filteredOn(r -> r.get("id").asText().equals(board)).singleElement()
                .satisfies(r -> assertThat(r.get("role").asText()).isEqualTo("moderator"));
        assertThat(rooms).filteredOn(r -> r.get("id").asText().equals(dm)).singleElement()
                .satisfies(r -> assertThat(r.get("name").asText()).isEqualTo("Ada"));
        assertThat(answer(eve2, "join", lounge)).startsWith("forbidden");
        assertThat(answer(eve2, "join", board)).startsWith("no_such_room");
    }

    @Test
    void a_person_owns_at_most_max_rooms_per_user_rooms() {
        start("--max-rooms-per-user", "2");
        WsClient ada = hello("Ada");
        WsClient grace = hello("Grace");
        create(ada, "one", false);
        create(ada, "two", true);
        ada.send("create_room", "name", "three", "ref", "3");
        assertThat(ada.expectError("limit_reached").get("ref").asText()).isEqualTo("3");
        ada.send("direct", "user", grace.userId());
        assertThat(ada.expect("room_added").at("/room/kind").asText()).as("direct rooms do not count").isEqualTo("direct");
        assertThat(roomNames(grace)).doesNotContain("three");
    }

    @Test
    void one_account_holds_at_most_max_connections_per_user_sockets() {
        start("--max-connections-per-user", "2");
        WsClient one = hello("Ada");
        hello("Ada");
        assertThatThrownBy(() -> new RawWebSocket(server.port(), one.cookie()).close())
                .isInstanceOfSatisfying(RawWebSocket.Refused.class, r -> assertThat(r.status()).isEqualTo(429));
        hello("Grace"); // someone else still gets in
        one.close();
        long deadline = System.nanoTime() + 10_000_000_000L;
        WsClient again = null;
        while (again == null) { // the server counts the closed socket out once it has seen the close
            try {
                again = hello("Ada");
            } catch (RuntimeException stillFull) {
                if (System.nanoTime() > deadline) throw stillFull;
                Thread.onSpinWait();
            }
        }
        assertThat(again.sessionId()).isNotEmpty();
    }
}
