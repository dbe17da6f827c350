package parley.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import parley.testing.Await;
import parley.testing.TestServer;
import parley.testing.WsClient;

/** Full-text search against the real server over real WebSockets: results, paging, limits, and who finds what. */
class SearchTest {
    private TestServer server;
    private final List<WsClient> clients = new ArrayList<>();

    @AfterEach
    void stop() {
        clients.forEach(WsClient::close);
        if (server != null) server.close();
    }

    private WsClient hello(String name) {
        if (server == null) server = TestServer.start();
        WsClient c = server.hello(name);
        clients.add(c);
        return c;
    }


    private static long say(WsClient c, String room, String text) {
        JsonNode ack = c.ask("send", "room", room, "clientId", "m-" + System.nanoTime(), "text", text);
        assertThat(ack.path("type").asText()).as("%s", ack).isEqualTo("ack");
        return ack.get("seq").asLong();
    }

    private static JsonNode search(WsClient c, Object... fields) {
        JsonNode reply = c.ask("search", fields);
        assertThat(reply.path("type").asText()).as("%s", reply).isEqualTo("search");
        return reply;
    }

    private static List<String> texts(JsonNode results) {
        List<String> out = new ArrayList<>();
        results.get("results").forEach(r -> out.add(r.get("text").asText()));
        return out;
    }

    private static String refused(WsClient c, Object... fields) {
        JsonNode reply = c.ask("search", fields);
        assertThat(reply.path("type").asText()).as("%s", reply).isEqualTo("error");
        return reply.get("code").asText();
    }

    @Test
    void a_search_finds_messages_newest_first_with_their_room_author_date_and_where_the_words_match() {
        WsClient ada = hello("Ada");
        WsClient grace = hello("Grace");
        String ops = ada.createRoom("ops", false);
        ada.ask("join", "room", ops);
        say(ada, ops, "Deploy at five");
        long second = say(ada, ops, "the deploy went fine, redeploy tomorrow");
        say(ada, ops, "lunch?");

        JsonNode reply = search(grace, "query", "DEPLOY");

        assertThat(texts(reply)).containsExactly("the deploy went fine, redeploy tomorrow", "Deploy at five");
        assertThat(reply.get("hasMore").asBoolean()).isFalse();
        JsonNode first = reply.get("results").get(0);
        assertThat(first.get("room").asText()).isEqualTo(ops);
        assertThat(first.get("seq").asLong()).isEqualTo(second);
        assertThat(first.at("/from/name").asText()).isEqualTo("Ada");
        assertThat(first.at("/from/userId").asText()).isEqualTo(ada.userId());
        assertThat(first.get("ts").asLong()).isPositive();
        assertThat(first.get("matches").toString()).as("UTF-16 offsets, start and end").isEqualTo("[[4,10],[24,30]]");
        assertThat(first.has("edited")).isFalse();
        assertThat(texts(search(grace, "query", "deploy five"))).as("every word").containsExactly("Deploy at five");
        assertThat(texts(search(grace, "query", "nothing like it"))).isEmpty();
    }

    @Test
    void cjk_text_is_found_by_a_part_of_a_word_and_matched_in_utf16_offsets() {
        WsClient ada = hello("Ada");
        String ops = ada.createRoom("ops", false);
        ada.ask("join", "room", ops);
        say(ada, ops, "👋 東京タワーに行きました");

        JsonNode found = search(ada, "query", "京タワ").get("results").get(0);

        assertThat(found.get("text").asText()).isEqualTo("👋 東京タワーに行きました");
        assertThat(found.get("matches").toString()).as("the emoji is two UTF-16 units").isEqualTo("[[4,7]]");
    }

    @Test
    void a_private_rooms_messages_are_never_found_from_outside_it_and_a_kicked_or_departed_member_finds_none() {
        WsClient ada = hello("Ada");
        WsClient grace = hello("Grace");
        WsClient eve = hello("Eve");
        String board = ada.createRoom("board", true);
        String team = ada.createRoom("team", true);
        String lobby = ada.createRoom("lobby", false);
        for (String room : List.of(board, team, lobby)) ada.ask("join", "room", room);
        for (String room : List.of(board, team)) {
            ada.ask("invite", "room", room, "user", grace.userId());
        }
        say(ada, board, "budget for the board");
        say(ada, team, "budget for the team");
        say(ada, lobby, "budget for everyone");

        assertThat(texts(search(grace, "query", "budget")))
                .containsExactly("budget for everyone", "budget for the team", "budget for the board");
        JsonNode eves = search(eve, "query", "budget");
        assertThat(texts(eves)).as("Eve is in neither private room").containsExactly("budget for everyone");
        assertThat(eves.get("hasMore").asBoolean()).isFalse();
        assertThat(refused(eve, "query", "budget", "room", board)).isEqualTo("no_such_room");
        assertThat(refused(eve, "query", "budget", "before", Map.of("room", board, "seq", 1))).isEqualTo("no_such_room");

        ada.ask("kick", "room", board, "user", grace.userId());
        grace.ask("quit", "room", team);
        say(ada, board, "budget, after Grace left");
        say(ada, team, "budget, after Grace quit");

        assertThat(texts(search(grace, "query", "budget"))).as("neither the new messages nor the old")
                .containsExactly("budget for everyone");
        assertThat(refused(grace, "query", "budget", "room", board)).isEqualTo("no_such_room");
    }

    @Test
    void an_edited_message_is_found_as_it_reads_now_and_a_deleted_one_not_at_all() {
        WsClient ada = hello("Ada");
        String ops = ada.createRoom("ops", false);
        ada.ask("join", "room", ops);
        long edited = say(ada, ops, "meet at the harbour");
        long deleted = say(ada, ops, "the password is swordfish");
        ada.ask("edit", "room", ops, "clientId", "e1", "target", edited, "text", "meet at the station");
        ada.ask("delete", "room", ops, "clientId", "d1", "target", deleted);

        assertThat(texts(search(ada, "query", "harbour"))).isEmpty();
        assertThat(texts(search(ada, "query", "swordfish"))).isEmpty();
        JsonNode found = search(ada, "query", "station").get("results").get(0);
        assertThat(found.get("seq").asLong()).isEqualTo(edited);
        assertThat(found.get("text").asText()).isEqualTo("meet at the station");
        assertThat(found.has("edited")).isTrue();
    }

    @Test
    void pages_go_on_from_the_last_result_and_a_limit_above_search_page_max_is_clamped() {
        server = TestServer.start("--search-page-max", "2");
        WsClient ada = hello("Ada");
        String ops = ada.createRoom("ops", false);
        ada.ask("join", "room", ops);
        for (int i = 1; i <= 5; i++) say(ada, ops, "note " + i);

        JsonNode first = search(ada, "query", "note", "room", ops, "limit", 10);
        JsonNode last = first.get("results").get(1);
        JsonNode second = search(ada, "query", "note", "room", ops, "limit", 10,
                "before", Map.of("room", last.get("room").asText(), "seq", last.get("seq").asLong()));
        JsonNode third = search(ada, "query", "note", "limit", 1,
                "before", Map.of("room", ops, "seq", second.get("results").get(1).get("seq").asLong()));

        assertThat(texts(first)).containsExactly("note 5", "note 4");
        assertThat(first.get("hasMore").asBoolean()).isTrue();
        assertThat(texts(second)).containsExactly("note 3", "note 2");
        assertThat(texts(third)).containsExactly("note 1");
        assertThat(third.get("hasMore").asBoolean()).isFalse();
    }

    @Test
    void a_query_without_a_word_of_three_characters_or_longer_than_search_max_chars_or_a_bad_limit_is_refused() {
        server = TestServer.start("--search-max-chars", "20");
        WsClient ada = hello("Ada");

        assertThat(refused(ada, "query", "ab")).isEqualTo("bad_message");
        assertThat(refused(ada, "query", "to be")).isEqualTo("bad_message");
        assertThat(refused(ada, "query", "   ")).isEqualTo("bad_message");
        assertThat(refused(ada)).isEqualTo("bad_message");
        assertThat(refused(ada, "query", "x".repeat(21))).isEqualTo("bad_message");
        assertThat(refused(ada, "query", "tower", "limit", 0)).isEqualTo("bad_message");
        assertThat(refused(ada, "query", "tower", "before", Map.of("room", "r_x", "seq", 0))).isEqualTo("bad_message");
        assertThat(refused(ada, "query", "tower", "room", "r_nowhere")).isEqualTo("no_such_room");
        assertThat(search(ada, "query", "to be or not").get("results")).isEmpty();
        assertThat(search(ada, "query", "x".repeat(20)).get("results")).isEmpty();
    }

    @Test
    void a_person_searching_more_often_than_searches_per_second_is_refused_on_every_connection() {
        server = TestServer.start("--searches-per-second", "2");
        WsClient ada = hello("Ada");
        WsClient adaTab = hello("Ada");
        for (int i = 0; i < 10; i++) {
            WsClient tab = i % 2 == 0 ? ada : adaTab;
            tab.send("search", "query", "anything", "ref", "s" + i);
        }
        List<String> answers = new ArrayList<>();
        for (WsClient tab : List.of(ada, adaTab)) {
            Await.until(() -> tab.received().stream().filter(m -> m.path("ref").asText().startsWith("s")).count() == 5);
            tab.received().stream().filter(m -> m.path("ref").asText().startsWith("s"))
                    .forEach(m -> answers.add(m.get("type").asText().equals("error") ? m.get("code").asText() : m.get("type").asText()));
        }
        // Ten searches sent at once fall in one or two seconds of the clock: at most 2 pass in each.
        assertThat(answers.stream().filter("search"::equals).count()).isBetween(2L, 4L);
        assertThat(answers.stream().filter("rate_limited"::equals).count()).isBetween(6L, 8L);
    }
}
