package parley.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import parley.testing.TestServer;
import parley.testing.WsClient;

/** Edits, deletions and reactions against the real server over real WebSockets. */
class MessageChangesTest {
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

    private static String create(WsClient c, String name, boolean isPrivate) {
        return c.createRoom(name, isPrivate);
    }

    private static void join(WsClient c, String room) {
        c.send("join", "room", room);
        c.expect("joined");
    }

    /** Sends {@code type} with these fields and a ref; the reply to it: an ack, or an error's "code: message". */
    private static JsonNode ask(WsClient c, String type, Object... fields) {
        return c.ask(type, fields);
    }

    private static long acked(WsClient c, String type, Object... fields) {
        JsonNode reply = ask(c, type, fields);
        assertThat(reply.path("type").asText()).as("reply to %s: %s", type, reply).isEqualTo("ack");
        return reply.get("seq").asLong();
    }

    private static String refused(WsClient c, String type, Object... fields) {
        JsonNode reply = ask(c, type, fields);
        assertThat(reply.path("type").asText()).as("reply to %s: %s", type, reply).isEqualTo("error");
        return reply.get("code").asText();
    }

    /** The message event {@code seq}, received by now or waited for (an earlier expect may have passed it by). */
    private static JsonNode message(WsClient c, long seq) {
        return c.received("message").stream().filter(m -> m.path("seq").asLong() == seq).findFirst()
                .orElseGet(() -> c.expect(m -> "message".equals(m.path("type").asText()) && m.path("seq").asLong() == seq, "message " + seq));
    }

    @Test
    void edit_react_and_delete_are_acknowledged_then_delivered_to_the_room_as_entries_naming_their_target() {
        WsClient ada = hello("Ada");
        WsClient grace = hello("Grace");
        String room = create(ada, "ops", false);
        join(ada, room);
        join(grace, room);
        acked(ada, "send", "room", room, "clientId", "m1", "text", "deploy at 5");

        assertThat(acked(ada, "edit", "room", room, "clientId", "e1", "target", 1, "text", "deploy at 6")).isEqualTo(2);
        assertThat(acked(grace, "react", "room", room, "clientId", "r1", "target", 1, "emoji", "👍")).isEqualTo(3);
        assertThat(acked(grace, "react", "room", room, "clientId", "r2", "target", 1, "emoji", "👍")).isEqualTo(4);
        assertThat(acked(ada, "delete", "room", room, "clientId", "d1", "target", 1)).isEqualTo(5);

        assertThat(message(grace, 1).get("kind").asText()).isEqualTo("message");
        JsonNode edit = message(grace, 2);
        assertThat(edit.get("kind").asText()).isEqualTo("edit");
        assertThat(edit.get("target").asLong()).isEqualTo(1);
        assertThat(edit.get("text").asText()).isEqualTo("deploy at 6");
        assertThat(edit.at("/from/userId").asText()).isEqualTo(ada.userId());
        JsonNode reacted = message(grace, 3);
        assertThat(reacted.get("kind").asText()).isEqualTo("reaction");
        assertThat(reacted.get("emoji").asText()).isEqualTo("👍");
        assertThat(reacted.get("added").asBoolean()).isTrue();
        assertThat(reacted.has("text")).isFalse();
        assertThat(message(grace, 4).get("added").asBoolean()).as("the same emoji again takes it away").isFalse();
        JsonNode deleted = message(grace, 5);
        assertThat(deleted.get("kind").asText()).isEqualTo("delete");
        assertThat(deleted.get("target").asLong()).isEqualTo(1);
        assertThat(deleted.has("text")).isFalse();
    }

    @Test
    void a_retried_change_is_acknowledged_again_as_a_duplicate_and_applies_once() {
        WsClient ada = hello("Ada");
        String room = create(ada, "ops", false);
        join(ada, room);
        acked(ada, "send", "room", room, "clientId", "m1", "text", "hi");
        acked(ada, "react", "room", room, "clientId", "r1", "target", 1, "emoji", "🎉");

        JsonNode again = ask(ada, "react", "room", room, "clientId", "r1", "target", 1, "emoji", "🎉");

        assertThat(again.get("seq").asLong()).isEqualTo(2);
        assertThat(again.get("duplicate").asBoolean()).isTrue();
        ada.send("history", "room", room);
        assertThat(ada.expect("history").at("/messages/0/reactions/0/count").asInt()).isEqualTo(1);
    }

    @Test
    void changes_are_refused_with_a_code_for_each_reason_and_change_nothing() {
        WsClient ada = hello("Ada");
        WsClient grace = hello("Grace");
        WsClient eve = hello("Eve");
        String room = create(ada, "ops", false);
        join(ada, room);
        join(grace, room);
        acked(grace, "send", "room", room, "clientId", "g1", "text", "grace's");
        acked(grace, "edit", "room", room, "clientId", "g2", "target", 1, "text", "grace's, edited");
        acked(grace, "send", "room", room, "clientId", "g3", "text", "soon gone");
        acked(grace, "delete", "room", room, "clientId", "g4", "target", 3);

        assertThat(refused(grace, "edit", "room", room, "clientId", "x1", "target", 99, "text", "?")).isEqualTo("no_such_message");
        assertThat(refused(grace, "edit", "room", room, "clientId", "x2", "target", 2, "text", "an edit of an edit")).isEqualTo("no_such_message");
        assertThat(refused(grace, "react", "room", room, "clientId", "x3", "target", 4, "emoji", "👍")).isEqualTo("no_such_message");
        assertThat(refused(grace, "edit", "room", room, "clientId", "x4", "target", 3, "text", "back")).isEqualTo("bad_state");
        assertThat(refused(grace, "react", "room", room, "clientId", "x5", "target", 3, "emoji", "👍")).isEqualTo("bad_state");
        assertThat(refused(grace, "delete", "room", room, "clientId", "x6", "target", 3)).isEqualTo("bad_state");
        assertThat(refused(ada, "edit", "room", room, "clientId", "x7", "target", 1, "text", "an owner's words")).isEqualTo("forbidden");
        join(eve, room);
        assertThat(refused(eve, "delete", "room", room, "clientId", "x8", "target", 1)).isEqualTo("forbidden");
        assertThat(refused(grace, "edit", "room", room, "clientId", "x9", "target", 1, "text", "   ")).isEqualTo("bad_message");
        assertThat(refused(grace, "edit", "room", room, "clientId", "x10", "target", 1, "text", "x".repeat(4001))).isEqualTo("bad_message");
        assertThat(refused(grace, "edit", "room", room, "clientId", "x11", "text", "no target")).isEqualTo("bad_message");
        assertThat(refused(grace, "delete", "room", room, "clientId", "x12", "target", 0)).isEqualTo("bad_message");
        for (String notAnEmoji : List.of("a", ":)", "1", " ", "👍 ", "\u202e👍", "👍a", "🎉".repeat(11))) {
            assertThat(refused(grace, "react", "room", room, "clientId", "x13", "target", 1, "emoji", notAnEmoji))
                    .as("emoji %s", notAnEmoji).isEqualTo("bad_message");
        }
        List<String> emojis = List.of("👍🏽", "❤️", "🇫🇷", "👩‍💻", "©");
        for (int i = 0; i < emojis.size(); i++) {
            acked(grace, "react", "room", room, "clientId", "ok-" + i, "target", 1, "emoji", emojis.get(i));
        }
        WsClient outsider = hello("Olga");
        assertThat(refused(outsider, "react", "room", room, "clientId", "x14", "target", 1, "emoji", "👍")).isEqualTo("not_joined");

        ada.send("history", "room", room);
        JsonNode first = ada.expect("history").at("/messages/0");
        assertThat(first.get("text").asText()).isEqualTo("grace's, edited");
        assertThat(first.get("reactions")).hasSize(5);
    }

    @Test
    void owners_and_moderators_delete_anyones_message_in_their_room_and_everyone_sees_the_tombstone() {
        WsClient ada = hello("Ada");
        WsClient grace = hello("Grace");
        WsClient eve = hello("Eve");
        String room = create(ada, "ops", false);
        join(ada, room);
        join(grace, room);
        join(eve, room);
        acked(eve, "send", "room", room, "clientId", "e1", "text", "spam");
        acked(eve, "send", "room", room, "clientId", "e2", "text", "more spam");
        ada.send("set_role", "room", room, "user", grace.userId(), "role", "moderator");
        ada.expect("member");

        acked(ada, "delete", "room", room, "clientId", "d1", "target", 1);
        acked(grace, "delete", "room", room, "clientId", "d2", "target", 2);

        eve.send("history", "room", room);
        JsonNode messages = eve.expect("history").get("messages");
        assertThat(messages).hasSize(4);
        assertThat(messages.get(0).get("text").asText()).isEmpty();
        assertThat(messages.get(0).at("/deleted/by/userId").asText()).isEqualTo(ada.userId());
        assertThat(messages.get(1).at("/deleted/by/userId").asText()).isEqualTo(grace.userId());
        assertThat(messages.toString()).doesNotContain("spam");
    }

    @Test
    void a_private_rooms_message_cannot_be_edited_deleted_or_reacted_to_from_outside() {
        WsClient ada = hello("Ada");
        WsClient eve = hello("Eve");
        String board = create(ada, "board", true);
        join(ada, board);
        acked(ada, "send", "room", board, "clientId", "s1", "text", "the secret plan");
        String never = "r_" + "x".repeat(24);

        for (Object[] probe : new Object[][] {{"edit", "text", "mine now"}, {"delete"}, {"react", "emoji", "👍"}}) {
            String type = (String) probe[0];
            List<Object> fields = new ArrayList<>(List.of("clientId", "p-" + type, "target", 1));
            fields.addAll(List.of(probe).subList(1, probe.length));
            JsonNode toPrivate = ask(eve, type, concat("room", board, fields));
            JsonNode toNothing = ask(eve, type, concat("room", never, fields));
            assertThat(toPrivate.get("code").asText()).isEqualTo("no_such_room");
            assertThat(toPrivate.get("message").asText().replace(board, "<room>"))
                    .isEqualTo(toNothing.get("message").asText().replace(never, "<room>"));
        }
        ada.send("history", "room", board);
        JsonNode messages = ada.expect("history").get("messages");
        assertThat(messages).hasSize(1);
        assertThat(messages.get(0).get("text").asText()).isEqualTo("the secret plan");
    }

    private static Object[] concat(String k, String v, List<Object> rest) {
        List<Object> all = new ArrayList<>(List.of(k, v));
        all.addAll(rest);
        return all.toArray();
    }

    @Test
    void a_client_that_was_offline_catches_up_the_edit_the_reaction_and_the_deletion_in_order_and_never_sees_old_text() {
        WsClient ada = hello("Ada");
        WsClient grace = hello("Grace");
        String room = create(ada, "ops", false);
        join(ada, room);
        join(grace, room);
        acked(ada, "send", "room", room, "clientId", "m1", "text", "the old words");
        message(grace, 1);
        grace.abort();

        acked(ada, "edit", "room", room, "clientId", "e1", "target", 1, "text", "the new words");
        acked(ada, "react", "room", room, "clientId", "r1", "target", 1, "emoji", "🎉");
        acked(ada, "send", "room", room, "clientId", "m2", "text", "a regrettable remark");
        acked(ada, "delete", "room", room, "clientId", "d1", "target", 4);
        WsClient back = WsClient.withCookie(server.port(), grace.cookie(), null);
        clients.add(back);
        back.send("join", "room", room, "since", 1);
        back.expect("joined");

        List<JsonNode> missed = List.of(message(back, 2), message(back, 3), message(back, 4), message(back, 5));
        assertThat(missed).extracting(m -> m.get("kind").asText()).containsExactly("edit", "reaction", "message", "delete");
        assertThat(back.receivedSince(0, "message")).extracting(m -> m.get("seq").asLong()).containsExactly(2L, 3L, 4L, 5L);
        assertThat(missed.get(0).get("text").asText()).isEqualTo("the new words");
        assertThat(missed.get(1).get("emoji").asText()).isEqualTo("🎉");
        assertThat(missed.get(2).get("text").asText()).isEmpty();
        assertThat(missed.get(2).at("/deleted/by/userId").asText()).isEqualTo(ada.userId());
        back.send("history", "room", room);
        JsonNode history = back.expect("history").get("messages");
        assertThat(history.get(0).get("text").asText()).isEqualTo("the new words");
        assertThat(history.get(0).has("edited")).isTrue();
        assertThat(history.get(0).at("/reactions/0/emoji").asText()).isEqualTo("🎉");
        assertThat(history.get(0).at("/reactions/0/by/0/userId").asText()).isEqualTo(ada.userId());
        assertThat(back.received().toString()).doesNotContain("the old words").doesNotContain("regrettable");
    }

    @Test
    void deleting_a_file_message_deletes_its_bytes_and_its_link() throws Exception {
        WsClient ada = hello("Ada");
        String room = create(ada, "ops", false);
        join(ada, room);
        byte[] bytes = "the quarterly numbers".getBytes();
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        ada.send("send", "room", room, "clientId", "f1", "text", "numbers", "file",
                Map.of("name", "q.txt", "size", bytes.length, "type", "text/plain", "sha256", sha));
        String fileId = ada.expect("ack").at("/file/id").asText();
        HttpResponse<String> put = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.url() + "files/" + fileId))
                .header("Cookie", ada.cookie()).PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(201);
        java.nio.file.Path stored = server.dataDir().resolve("files").resolve(fileId);
        assertThat(stored).exists();

        acked(ada, "delete", "room", room, "clientId", "d1", "target", 1);

        assertThat(refused(ada, "file_link", "room", room, "file", fileId)).isEqualTo("no_such_file");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (Files.exists(stored) && System.nanoTime() < deadline) Thread.onSpinWait();
        assertThat(stored).as("the bytes are deleted").doesNotExist();
        ada.send("history", "room", room);
        assertThat(ada.expect("history").at("/messages/0").has("file")).isFalse();
    }

    /** Replies (send with replyTo): the quote always reads the target as it is now. */
    @Nested
    class Replies {
        private static JsonNode history(WsClient c, String room) {
            c.send("history", "room", room, "ref", "h-" + System.nanoTime());
            return c.expect("history").get("messages");
        }

        /** Ada and Grace, both joined to a new public room; its id. */
        private String adaAndGraceIn(WsClient ada, WsClient grace) {
            String room = create(ada, "ops", false);
            join(ada, room);
            join(grace, room);
            return room;
        }

        @Test
        void a_reply_is_delivered_with_the_seq_author_and_text_of_the_message_it_answers() {
            WsClient ada = hello("Ada");
            WsClient grace = hello("Grace");
            String room = adaAndGraceIn(ada, grace);
            acked(ada, "send", "room", room, "clientId", "m1", "text", "deploy at 5?");

            assertThat(acked(grace, "send", "room", room, "clientId", "m2", "text", "yes", "replyTo", 1)).isEqualTo(2);

            JsonNode live = message(ada, 2);
            assertThat(live.get("text").asText()).isEqualTo("yes");
            assertThat(live.at("/reply/seq").asLong()).isEqualTo(1);
            assertThat(live.at("/reply/from/userId").asText()).isEqualTo(ada.userId());
            assertThat(live.at("/reply/from/name").asText()).isEqualTo("Ada");
            assertThat(live.at("/reply/text").asText()).isEqualTo("deploy at 5?");
            assertThat(live.at("/reply").has("deleted")).isFalse();
            assertThat(message(ada, 1).has("reply")).as("a message that answers nothing has no reply").isFalse();
            assertThat(history(grace, room).get(1).get("reply")).isEqualTo(live.get("reply"));
        }

        @Test
        void a_reply_to_no_message_of_the_room_is_refused_and_nothing_is_stored() {
            WsClient ada = hello("Ada");
            String room = create(ada, "ops", false);
            String other = create(ada, "elsewhere", false);
            join(ada, room);
            join(ada, other);
            acked(ada, "send", "room", other, "clientId", "o1", "text", "in the other room");
            acked(ada, "send", "room", other, "clientId", "o2", "text", "and again");
            acked(ada, "send", "room", room, "clientId", "m1", "text", "first");
            acked(ada, "react", "room", room, "clientId", "r1", "target", 1, "emoji", "👍");

            assertThat(refused(ada, "send", "room", room, "clientId", "x1", "text", "to nothing", "replyTo", 9)).isEqualTo("no_such_message");
            assertThat(refused(ada, "send", "room", room, "clientId", "x2", "text", "to the other room's 2nd", "replyTo", 3))
                    .as("seq 3 exists only in the other room").isEqualTo("no_such_message");
            assertThat(refused(ada, "send", "room", room, "clientId", "x3", "text", "to a reaction", "replyTo", 2)).isEqualTo("no_such_message");
            assertThat(refused(ada, "send", "room", room, "clientId", "x4", "text", "to zero", "replyTo", 0)).isEqualTo("bad_message");

            assertThat(history(ada, room)).extracting(m -> m.get("seq").asLong()).containsExactly(1L, 2L);
        }

        @Test
        void a_reply_to_a_deleted_message_is_refused_with_bad_state_but_a_retried_reply_is_its_duplicate() {
            WsClient ada = hello("Ada");
            String room = create(ada, "ops", false);
            join(ada, room);
            acked(ada, "send", "room", room, "clientId", "m1", "text", "soon gone");
            acked(ada, "send", "room", room, "clientId", "m2", "text", "an answer", "replyTo", 1);
            acked(ada, "delete", "room", room, "clientId", "d1", "target", 1);

            assertThat(refused(ada, "send", "room", room, "clientId", "m3", "text", "too late", "replyTo", 1)).isEqualTo("bad_state");
            JsonNode retry = ask(ada, "send", "room", room, "clientId", "m2", "text", "an answer", "replyTo", 1);
            assertThat(retry.get("seq").asLong()).isEqualTo(2);
            assertThat(retry.get("duplicate").asBoolean()).isTrue();
        }

        @Test
        void the_quote_reads_its_target_as_it_is_now_after_an_edit_and_a_deletion_and_never_its_old_text() {
            WsClient ada = hello("Ada");
            WsClient grace = hello("Grace");
            String room = adaAndGraceIn(ada, grace);
            acked(ada, "send", "room", room, "clientId", "m1", "text", "the old words");
            acked(grace, "send", "room", room, "clientId", "m2", "text", "agreed", "replyTo", 1);
            acked(ada, "edit", "room", room, "clientId", "e1", "target", 1, "text", "the new words");

            JsonNode afterEdit = history(grace, room).get(1).get("reply");
            assertThat(afterEdit.get("text").asText()).isEqualTo("the new words");
            assertThat(afterEdit.toString()).doesNotContain("old words");

            acked(ada, "delete", "room", room, "clientId", "d1", "target", 1);
            JsonNode afterDelete = history(grace, room).get(1).get("reply");
            assertThat(afterDelete.get("seq").asLong()).isEqualTo(1);
            assertThat(afterDelete.get("deleted").asBoolean()).isTrue();
            assertThat(afterDelete.get("text").asText()).isEmpty();
            assertThat(afterDelete.toString()).doesNotContain("words");
        }

        @Test
        void a_client_that_was_offline_catches_up_a_reply_quoting_its_target_as_it_is_now() {
            WsClient ada = hello("Ada");
            WsClient grace = hello("Grace");
            String room = adaAndGraceIn(ada, grace);
            acked(ada, "send", "room", room, "clientId", "m1", "text", "the old words");
            message(grace, 1);
            grace.abort();
            acked(ada, "send", "room", room, "clientId", "m2", "text", "correcting myself", "replyTo", 1);
            acked(ada, "edit", "room", room, "clientId", "e1", "target", 1, "text", "the new words");

            WsClient back = WsClient.withCookie(server.port(), grace.cookie(), null);
            clients.add(back);
            back.send("join", "room", room, "since", 1);
            back.expect("joined");

            JsonNode reply = message(back, 2);
            assertThat(reply.at("/reply/seq").asLong()).isEqualTo(1);
            assertThat(reply.at("/reply/text").asText()).isEqualTo("the new words");
            assertThat(message(back, 3).get("kind").asText()).isEqualTo("edit");
        }

        @Test
        void a_long_target_is_quoted_by_its_first_characters_without_cutting_an_emoji_in_two() {
            WsClient ada = hello("Ada");
            String room = create(ada, "ops", false);
            join(ada, room);
            String longText = "a".repeat(98) + "👩‍💻 and much more after it";
            acked(ada, "send", "room", room, "clientId", "m1", "text", longText);
            acked(ada, "send", "room", room, "clientId", "m2", "text", "tl;dr", "replyTo", 1);

            String quote = message(ada, 2).at("/reply/text").asText();
            assertThat(quote).isEqualTo("a".repeat(98) + "…");
        }

        @Test
        void a_reply_to_a_file_message_names_its_file() {
            WsClient ada = hello("Ada");
            String room = create(ada, "ops", false);
            join(ada, room);
            acked(ada, "send", "room", room, "clientId", "f1", "file", java.util.Map.of("name", "slides.pdf", "size", 3,
                    "type", "application/pdf", "sha256", "0".repeat(64)));
            acked(ada, "send", "room", room, "clientId", "m2", "text", "nice slides", "replyTo", 1);

            JsonNode reply = message(ada, 2).get("reply");
            assertThat(reply.get("file").asText()).isEqualTo("slides.pdf");
            assertThat(reply.get("text").asText()).isEmpty();
        }
    }
}
