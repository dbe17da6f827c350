package parley.room;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import parley.bus.LocalBus;
import parley.room.ChatMessage.Kind;
import parley.room.Hub.SendResult;

/** Edits, deletions and reactions in the domain, with the in-memory store and the in-process bus. */
class EditsTest {
    private static final long NOW = 1_764_000_000_000L;
    /** maxTextChars 20. */
    private static final Hub.Limits LIMITS = new Hub.Limits(20, 3, 5, 4, 3);

    private final MemoryStore store = new MemoryStore();
    private final LocalBus<Fact> bus = new LocalBus<>();
    private final RoomId general = store.addRoom("r_general", "general");
    private Hub hub;

    @BeforeEach
    void open() {
        hub = Hub.open(store, bus, LIMITS, Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));
    }

    @AfterEach
    void close() {
        hub.close();
    }

    private FakeClient joined(String name, RoomId room) {
        FakeClient c = new FakeClient(name);
        hub.connect(c);
        hub.join(c, room, null, null);
        return c;
    }

    private static ChatMessage accepted(CompletableFuture<SendResult> result) {
        assertThat(result).isDone();
        assertThat(result.join()).isInstanceOf(SendResult.Accepted.class);
        return ((SendResult.Accepted) result.join()).message();
    }

    private static Refusal refused(CompletableFuture<SendResult> result) {
        assertThat(result).isDone();
        assertThat(result.join()).isInstanceOf(SendResult.Refused.class);
        return ((SendResult.Refused) result.join()).reason().refusal();
    }

    /** The result of a request that reports on a callback; complete at once with the in-memory store. */
    private static CompletableFuture<SendResult> outcome(java.util.function.Consumer<java.util.function.Consumer<SendResult>> request) {
        CompletableFuture<SendResult> result = new CompletableFuture<>();
        request.accept(result::complete);
        return result;
    }

    private CompletableFuture<SendResult> send(Client c, RoomId room, String clientId, String text) {
        return outcome(done -> hub.send(c, room, clientId, text, done));
    }

    private CompletableFuture<SendResult> edit(Client c, RoomId room, String clientId, long target, String text) {
        return outcome(done -> hub.edit(c, room, clientId, target, text, done));
    }

    private CompletableFuture<SendResult> delete(Client c, RoomId room, String clientId, long target) {
        return outcome(done -> hub.delete(c, room, clientId, target, done));
    }

    private CompletableFuture<SendResult> react(Client c, RoomId room, String clientId, long target, String emoji) {
        return outcome(done -> hub.react(c, room, clientId, target, emoji, done));
    }

    private static List<ChatMessage> posted(FakeClient c, RoomId room) {
        return c.events(room).stream().filter(e -> e instanceof Fact.Posted).map(e -> ((Fact.Posted) e).message()).toList();
    }

    @Test
    void an_edit_a_reaction_and_a_deletion_are_entries_every_member_receives_in_order() {
        FakeClient ada = joined("ada", general);
        FakeClient bob = joined("bob", general);
        accepted(send(ada, general, "c1", "lunch at 12"));

        ChatMessage edited = accepted(edit(ada, general, "e1", 1, "lunch at 1"));
        accepted(react(bob, general, "r1", 1, "👍"));
        accepted(delete(ada, general, "d1", 1));

        assertThat(edited.seq()).isEqualTo(2);
        List<ChatMessage> seen = posted(bob, general);
        assertThat(seen).extracting(ChatMessage::seq).containsExactly(1L, 2L, 3L, 4L);
        assertThat(seen).extracting(ChatMessage::kind).containsExactly(Kind.MESSAGE, Kind.EDIT, Kind.REACTION, Kind.DELETE);
        assertThat(seen.subList(1, 4)).extracting(ChatMessage::target).containsOnly(1L);
        assertThat(seen.get(1).text()).isEqualTo("lunch at 1");
        assertThat(seen.get(2).emoji()).isEqualTo("👍");
        assertThat(seen.get(2).added()).isTrue();
        assertThat(posted(ada, general)).isEqualTo(seen);
    }

    @Test
    void only_the_sender_edits_a_message_and_only_the_sender_or_the_rooms_owners_and_moderators_delete_it() throws Exception {
        FakeClient ada = new FakeClient("ada");
        hub.connect(ada);
        RoomId board = hub.createRoom("board", "", RoomKind.PUBLIC, ada).get().id();
        hub.join(ada, board, null, null);
        FakeClient bob = joined("bob", board);
        FakeClient eve = joined("eve", board);
        accepted(send(bob, board, "b1", "bob's"));
        accepted(send(eve, board, "e1", "eve's"));

        assertThat(refused(edit(ada, board, "x1", 1, "an owner's words"))).isEqualTo(Refusal.FORBIDDEN);
        assertThat(refused(delete(eve, board, "x2", 1))).isEqualTo(Refusal.FORBIDDEN);
        assertThat(refused(edit(bob, board, "x3", 2, "eve's, by bob"))).isEqualTo(Refusal.FORBIDDEN);

        accepted(delete(ada, board, "d1", 1));
        accepted(delete(eve, board, "d2", 2));
        assertThat(store.stored(board)).extracting(ChatMessage::seq).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void a_change_needs_a_joined_connection_a_room_one_may_see_and_text_within_the_limit() throws Exception {
        FakeClient ada = joined("ada", general);
        FakeClient bob = new FakeClient("bob");
        hub.connect(bob);
        accepted(send(ada, general, "c1", "hello"));
        RoomId secret = hub.createRoom("secret", "", RoomKind.PRIVATE, ada).get().id();
        hub.join(ada, secret, null, null);
        accepted(send(ada, secret, "s1", "the plan"));

        assertThat(refused(react(bob, general, "x1", 1, "👍"))).isEqualTo(Refusal.NOT_JOINED);
        assertThat(refused(delete(bob, secret, "x2", 1))).isEqualTo(Refusal.NO_SUCH_ROOM);
        assertThat(refused(edit(bob, secret, "x3", 1, "mine now"))).isEqualTo(Refusal.NO_SUCH_ROOM);
        assertThat(refused(react(bob, secret, "x4", 1, "👍"))).isEqualTo(Refusal.NO_SUCH_ROOM);
        assertThat(refused(edit(ada, general, "x5", 1, "x".repeat(21)))).isEqualTo(Refusal.TOO_LONG);
        assertThat(refused(edit(ada, general, "x6", 7, "no such"))).isEqualTo(Refusal.NO_SUCH_MESSAGE);
        assertThat(store.stored(general)).hasSize(1);
        assertThat(store.stored(secret)).extracting(ChatMessage::text).containsExactly("the plan");
    }

    @Test
    void a_member_catching_up_gets_the_changes_in_order_and_the_messages_as_they_are_now() {
        FakeClient ada = joined("ada", general);
        FakeClient bob = joined("bob", general);
        accepted(send(ada, general, "c1", "first"));
        hub.disconnect(bob);

        accepted(edit(ada, general, "e1", 1, "first, edited"));
        accepted(react(ada, general, "r1", 1, "🎉"));
        accepted(send(ada, general, "c2", "oops"));
        accepted(delete(ada, general, "d1", 4));
        FakeClient back = new FakeClient("s_bob2", "u_bob", "bob");
        hub.connect(back);
        hub.join(back, general, 1L, null);

        List<ChatMessage> missed = posted(back, general);
        assertThat(missed).extracting(ChatMessage::seq).containsExactly(2L, 3L, 4L, 5L);
        assertThat(missed).extracting(ChatMessage::kind).containsExactly(Kind.EDIT, Kind.REACTION, Kind.MESSAGE, Kind.DELETE);
        assertThat(missed.getFirst().text()).isEqualTo("first, edited");
        assertThat(missed.get(2).text()).as("deleted since it was sent: its text is not served").isEmpty();
        assertThat(missed.get(2).deleted()).isEqualTo(new ChatMessage.Deletion(new UserRef(ada.userId(), "ada"), NOW));

        Hub.Page page = hub.history(back, general, null, 5).join();
        assertThat(page.messages().getFirst().text()).isEqualTo("first, edited");
        assertThat(page.messages().getFirst().edited()).isEqualTo(NOW);
        assertThat(page.messages().getFirst().reactions()).containsExactly(
                new ChatMessage.Reaction("🎉", List.of(new UserRef(ada.userId(), "ada"))));
        assertThat(page.messages()).extracting(ChatMessage::text).doesNotContain("first", "oops");
    }
}
