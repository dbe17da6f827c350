package parley.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import parley.bus.LocalBus;
import parley.room.Hub.SendResult;
import parley.room.Hub.SendResult.Accepted;
import parley.room.Hub.SendResult.Refused;

/** The domain with the in-memory store and the in-process bus: no Vert.x, no SQLite. */
class HubTest {
    private static final long NOW = 1_764_000_000_000L;
    /** maxTextChars 20, history page 3 by default and 5 at most, catch-up of at most 4 messages. */
    private static final Hub.Limits LIMITS = new Hub.Limits(20, 3, 5, 4, 3);

    private final MemoryStore store = new MemoryStore();
    private final LocalBus<Fact> bus = new LocalBus<>();
    private final RoomId general = store.addRoom("r_general", "general");
    private final RoomId random = store.addRoom("r_random", "random");
    private Hub hub;
    private int pastSessions;

    @BeforeEach
    void open() {
        hub = Hub.open(store, bus, LIMITS, Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));
    }

    @AfterEach
    void close() {
        hub.close();
    }

    private FakeClient connect(String name) {
        FakeClient m = new FakeClient(name);
        hub.connect(m);
        return m;
    }

    /** Has someone say {@code n} messages in {@code room} and leave: what was said before the test's members came. */
    private void said(RoomId room, int n) {
        FakeClient past = new FakeClient("s_past" + ++pastSessions, "u_past", "Past");
        hub.connect(past);
        hub.join(past, room, null, null);
        long first = store.stored(room).size() + 1;
        for (long seq = first; seq < first + n; seq++) accepted(send(past, room, "past-" + seq, "old " + seq));
        hub.disconnect(past);
    }

    private FakeClient joined(String name, RoomId... rooms) {
        FakeClient m = connect(name);
        for (RoomId r : rooms) hub.join(m, r, null, null);
        return m;
    }

    /** The result of a send; complete at once unless the store holds outcomes back. */
    private CompletableFuture<SendResult> send(Client m, RoomId room, String clientId, String text) {
        CompletableFuture<SendResult> result = new CompletableFuture<>();
        hub.send(m, room, clientId, text, result::complete);
        return result;
    }

    private static Accepted accepted(CompletableFuture<SendResult> result) {
        assertThat(result).isDone();
        SendResult r = result.join();
        assertThat(r).isInstanceOf(Accepted.class);
        return (Accepted) r;
    }

    private static Refusal refusal(CompletableFuture<SendResult> result) {
        assertThat(result).isDone();
        SendResult r = result.join();
        assertThat(r).isInstanceOf(Refused.class);
        return ((Refused) r).reason().refusal();
    }

    private static Refusal refusalOf(CompletableFuture<?> future) {
        assertThat(future).isCompletedExceptionally();
        Throwable cause = future.handle((v, e) -> e.getCause() != null ? e.getCause() : e).join();
        assertThat(cause).isInstanceOf(RoomException.class);
        return ((RoomException) cause).refusal();
    }

    private static List<Long> seqs(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    // ---- joining --------------------------------------------------------------------------------

    @Test
    void a_joiner_gets_entered_with_its_ref_before_any_other_event_of_the_room() {
        FakeClient ada = joined("ada", general);
        FakeClient bob = connect("bob");

        hub.join(bob, general, null, "ref-7");
        send(ada, general, "c1", "hello");

        List<Delivery> events = bob.events(general);
        assertThat(events).hasSize(2);
        assertThat(events.getFirst()).isInstanceOfSatisfying(Delivery.Entered.class, e -> {
            assertThat(e.ref()).isEqualTo("ref-7");
            assertThat(e.info().id()).isEqualTo(general);
            assertThat(e.info().online()).isEqualTo(2);
            assertThat(e.members()).containsExactly(ada.info(), bob.info());
        });
        assertThat(events.get(1)).isInstanceOf(Fact.Posted.class);
    }

    @Test
    void a_joiner_with_since_gets_entered_before_the_messages_it_missed() {
        said(general, 3);
        FakeClient ada = connect("ada");

        hub.join(ada, general, 1L, "j1");

        List<Delivery> events = ada.events(general);
        assertThat(events.getFirst()).isInstanceOfSatisfying(Delivery.Entered.class, e -> {
            assertThat(e.ref()).isEqualTo("j1");
            assertThat(e.info().lastSeq()).isEqualTo(3);
        });
        assertThat(ada.seqs(general)).containsExactly(2L, 3L);
        assertThat(events).hasSize(3);
    }

    @Test
    void joining_an_unknown_room_is_refused_no_such_room() {
        FakeClient ada = connect("ada");

        assertThatThrownBy(() -> hub.join(ada, new RoomId("r_nowhere"), null, null))
                .isInstanceOfSatisfying(RoomException.class, e -> assertThat(e.refusal()).isEqualTo(Refusal.NO_SUCH_ROOM));
        assertThat(ada.events()).isEmpty();
    }

    // ---- messages -------------------------------------------------------------------------------

    @Test
    void messages_reach_every_joined_member_once_in_seq_order_and_never_a_non_member() {
        FakeClient ada = joined("ada", general);
        FakeClient bob = joined("bob", general);
        FakeClient carol = connect("carol");
        FakeClient dan = joined("dan", random);

        for (int i = 1; i <= 6; i++) {
            FakeClient sender = i % 2 == 0 ? ada : bob;
            assertThat(accepted(send(sender, general, "c" + i, "m" + i)).message().seq()).isEqualTo(i);
        }

        assertThat(ada.seqs(general)).containsExactlyElementsOf(seqs(1, 6));
        assertThat(bob.seqs(general)).containsExactlyElementsOf(seqs(1, 6));
        assertThat(carol.eventsOf(Fact.Posted.class)).isEmpty();
        assertThat(dan.eventsOf(Fact.Posted.class)).isEmpty();
        Fact.Posted first = ada.eventsOf(Fact.Posted.class).getFirst();
        assertThat(first.message()).isEqualTo(new ChatMessage(general, 1, "c1", bob.userId(), "bob", "m1", NOW));
    }

    @Test
    void a_member_who_left_gets_no_more_messages() {
        FakeClient ada = joined("ada", general);
        FakeClient bob = joined("bob", general);
        send(ada, general, "c1", "before");

        hub.leave(bob, general);
        send(ada, general, "c2", "after");

        assertThat(bob.seqs(general)).containsExactly(1L);
        assertThat(ada.seqs(general)).containsExactly(1L, 2L);
    }

    @Test
    void leaving_a_room_not_joined_is_refused_not_joined() {
        FakeClient ada = connect("ada");

        assertThatThrownBy(() -> hub.leave(ada, general))
                .isInstanceOfSatisfying(RoomException.class, e -> assertThat(e.refusal()).isEqualTo(Refusal.NOT_JOINED));
    }

    @Test
    void a_member_who_has_not_joined_the_room_cannot_send_and_nothing_is_stored() {
        FakeClient ada = joined("ada", general);
        FakeClient bob = joined("bob", random);

        assertThat(refusal(send(bob, general, "c1", "let me in"))).isEqualTo(Refusal.NOT_JOINED);

        assertThat(store.appendCalls()).isEmpty();
        assertThat(ada.eventsOf(Fact.Posted.class)).isEmpty();
    }

    @Test
    void sending_to_an_unknown_room_is_refused_no_such_room() {
        FakeClient ada = joined("ada", general);

        assertThat(refusal(send(ada, new RoomId("r_nowhere"), "c1", "anyone?"))).isEqualTo(Refusal.NO_SUCH_ROOM);
        assertThat(store.appendCalls()).isEmpty();
    }

    @Test
    void text_longer_than_max_text_chars_is_refused_too_long_and_text_of_exactly_the_limit_is_accepted() {
        FakeClient ada = joined("ada", general);

        assertThat(refusal(send(ada, general, "c1", "x".repeat(21)))).isEqualTo(Refusal.TOO_LONG);
        assertThat(store.appendCalls()).isEmpty();
        assertThat(ada.eventsOf(Fact.Posted.class)).isEmpty();

        assertThat(accepted(send(ada, general, "c2", "x".repeat(20))).message().seq()).isEqualTo(1);
    }

    @Test
    void a_duplicate_send_is_acked_with_the_original_seq_and_not_published_again() {
        FakeClient ada = joined("ada", general);
        FakeClient bob = joined("bob", general);
        Accepted first = accepted(send(ada, general, "c1", "hello"));
        send(bob, general, "c2", "hi");

        Accepted retry = accepted(send(ada, general, "c1", "hello"));

        assertThat(first.duplicate()).isFalse();
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.message()).isEqualTo(first.message());
        assertThat(ada.seqs(general)).containsExactly(1L, 2L);
        assertThat(bob.seqs(general)).containsExactly(1L, 2L);
    }

    @Test
    void the_sender_is_answered_before_its_message_is_delivered_to_anyone() {
        FakeClient ada = joined("ada", general);
        FakeClient bob = joined("bob", general);
        store.holdOutcomes();

        CompletableFuture<SendResult> result = send(ada, general, "c1", "hello");

        assertThat(result).isNotDone();
        assertThat(ada.eventsOf(Fact.Posted.class)).isEmpty();
        assertThat(bob.eventsOf(Fact.Posted.class)).isEmpty();
        List<Integer> postedWhenAnswered = new ArrayList<>();
        result.thenRun(() -> postedWhenAnswered.add(ada.seqs(general).size() + bob.seqs(general).size()));

        store.releaseOutcomes();

        assertThat(postedWhenAnswered).containsExactly(0);
        assertThat(ada.seqs(general)).containsExactly(1L);
        assertThat(bob.seqs(general)).containsExactly(1L);
    }

    @Test
    void a_store_failure_on_append_refuses_unavailable_and_publishes_nothing() {
        FakeClient ada = joined("ada", general);
        FakeClient bob = joined("bob", general);
        store.failAppends();

        assertThat(refusal(send(ada, general, "c1", "hello"))).isEqualTo(Refusal.UNAVAILABLE);

        assertThat(store.stored(general)).isEmpty();
        assertThat(ada.eventsOf(Fact.Posted.class)).isEmpty();
        assertThat(bob.eventsOf(Fact.Posted.class)).isEmpty();
    }

    // ---- catching up ----------------------------------------------------------------------------

    @Test
    void a_member_joining_with_since_gets_the_missed_messages_then_the_live_ones() {
        said(general, 3);
        FakeClient bob = joined("bob", general);
        FakeClient ada = connect("ada");

        hub.join(ada, general, 1L, null);
        send(bob, general, "c4", "live");

        assertThat(ada.seqs(general)).containsExactly(2L, 3L, 4L);
    }

    @Test
    void since_zero_replays_every_message() {
        said(general, 2);
        FakeClient ada = connect("ada");

        hub.join(ada, general, 0L, null);

        assertThat(ada.seqs(general)).containsExactly(1L, 2L);
    }

    @Test
    void live_messages_published_before_the_catch_up_read_completes_arrive_once_after_the_missed_ones() {
        said(general, 3);
        FakeClient bob = joined("bob", general);
        FakeClient ada = connect("ada");
        store.holdReads();

        hub.join(ada, general, 1L, null);
        send(bob, general, "c4", "live 4");
        send(bob, general, "c5", "live 5");
        send(bob, general, "c6", "live 6");
        assertThat(ada.seqs(general)).isEmpty();

        store.pendingReads().getFirst().completeAsOfRequest();
        send(bob, general, "c7", "live 7");

        assertThat(ada.seqs(general)).containsExactlyElementsOf(seqs(2, 7));
        assertThat(ada.events(general).getFirst()).isInstanceOf(Delivery.Entered.class);
    }

    @Test
    void a_catch_up_read_that_includes_messages_also_published_live_delivers_each_once() {
        said(general, 2);
        FakeClient bob = joined("bob", general);
        FakeClient ada = connect("ada");
        store.holdReads();

        hub.join(ada, general, 1L, null);
        send(bob, general, "c3", "live 3");
        send(bob, general, "c4", "live 4");

        store.pendingReads().getFirst().completeWithCurrent();
        send(bob, general, "c5", "live 5");

        assertThat(ada.seqs(general)).containsExactly(2L, 3L, 4L, 5L);
    }

    @Test
    void a_message_stored_before_the_join_but_published_after_it_is_delivered_once() {
        said(general, 1);
        FakeClient bob = joined("bob", general);
        FakeClient ada = connect("ada");
        store.holdOutcomes();
        assertThat(send(bob, general, "c2", "not yet published")).isNotDone();

        hub.join(ada, general, 1L, null);
        assertThat(ada.seqs(general)).containsExactly(2L);

        store.releaseOutcomes();
        send(bob, general, "c3", "live");

        assertThat(ada.seqs(general)).containsExactly(2L, 3L);
        assertThat(bob.seqs(general)).containsExactly(2L, 3L);
    }

    @Test
    void members_joining_with_since_while_messages_keep_arriving_from_another_thread_get_each_once_in_order()
            throws Exception {
        int total = 3_000;
        said(general, 2);
        FakeClient bob = joined("bob", general);
        FakeClient ada = connect("ada");
        CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
            for (int i = 3; i <= total; i++) send(bob, general, "c" + i, "live " + i);
        });

        // Ada rejoins over and over, a little behind the room each time, racing the sender.
        long since;
        boolean isJoined = false;
        do {
            if (isJoined) hub.leave(ada, general);
            ada.forget();
            since = store.stored(general).size() - 2;
            hub.join(ada, general, since, null);
            isJoined = true;
            assertCaughtUpFrom(ada, since);
        } while (!sender.isDone());
        sender.get(10, TimeUnit.SECONDS);

        assertThat(bob.seqs(general)).containsExactlyElementsOf(seqs(3, total));
        assertCaughtUpFrom(ada, since);
        // The last racing join may have ended in a Reset (the sender ran more than catchupMax ahead)
        // with nothing live after it; one more join, now that the room is quiet, must catch up exactly.
        hub.leave(ada, general);
        ada.forget();
        hub.join(ada, general, (long) total - 2, null);
        assertThat(ada.seqs(general)).containsExactly((long) total - 1, (long) total);
    }

    /**
     * Checks what {@code member} got of the general room since it joined with {@code since}: Entered first,
     * then each message once, in order, with no gap: from {@code since + 1}, or, after a Reset (more than
     * catchupMax were missed by the time the store read), from wherever live delivery began.
     */
    private void assertCaughtUpFrom(FakeClient member, long since) {
        List<Delivery> events = member.events(general);
        assertThat(events.getFirst()).isInstanceOf(Delivery.Entered.class);
        List<Long> got = member.seqs(general);
        if (got.isEmpty()) return;
        assertThat(got).as("gapless, in order, once").isEqualTo(seqs(got.getFirst(), got.getLast()));
        if (member.eventsOf(Delivery.Reset.class).isEmpty()) {
            assertThat(got.getFirst()).isEqualTo(since + 1);
        } else {
            assertThat(events.get(1)).isInstanceOf(Delivery.Reset.class);
        }
    }

    @Test
    void joining_again_with_an_earlier_since_while_still_catching_up_catches_up_from_the_earlier_since() {
        said(general, 5);
        FakeClient bob = joined("bob", general);
        FakeClient ada = connect("ada");
        store.holdReads();

        hub.join(ada, general, 4L, "first");
        hub.join(ada, general, 2L, "second");
        send(bob, general, "c6", "live 6");
        // The reads finish in the order they were asked for, as they usually do on the real store.
        store.pendingReads().get(0).completeAsOfRequest();
        store.pendingReads().get(1).completeAsOfRequest();
        send(bob, general, "c7", "live 7");

        // docs/protocol.md: joining again "catches up from since", with no gap and no duplicate. The
        // client's latest word is since 2, so it must get every message after 2, once, in order.
        assertThat(ada.seqs(general)).containsExactly(3L, 4L, 5L, 6L, 7L);
    }

    @Test
    void missing_exactly_catchup_max_messages_still_catches_up_message_by_message() {
        said(general, 6);
        FakeClient ada = connect("ada");

        hub.join(ada, general, 2L, null);

        assertThat(ada.eventsOf(Delivery.Reset.class)).isEmpty();
        assertThat(ada.seqs(general)).containsExactly(3L, 4L, 5L, 6L);
    }

    @Test
    void missing_more_than_catchup_max_messages_gives_reset_then_only_live_messages() {
        said(general, 10);
        FakeClient bob = joined("bob", general);
        FakeClient ada = connect("ada");

        hub.join(ada, general, 2L, null);
        send(bob, general, "c11", "live");

        List<Delivery> events = ada.events(general);
        assertThat(events).hasSize(3);
        assertThat(events.get(0)).isInstanceOf(Delivery.Entered.class);
        assertThat(events.get(1)).isEqualTo(new Delivery.Reset(general, 10));
        assertThat(ada.seqs(general)).containsExactly(11L);
    }

    @Test
    void a_reset_after_a_late_catch_up_read_is_followed_by_the_messages_published_meanwhile() {
        said(general, 10);
        FakeClient bob = joined("bob", general);
        FakeClient ada = connect("ada");
        store.holdReads();

        hub.join(ada, general, 2L, null);
        send(bob, general, "c11", "live 11");
        send(bob, general, "c12", "live 12");
        store.pendingReads().getFirst().completeAsOfRequest();
        send(bob, general, "c13", "live 13");

        List<Delivery> events = ada.events(general);
        assertThat(events.get(0)).isInstanceOf(Delivery.Entered.class);
        assertThat(events.get(1)).isInstanceOf(Delivery.Reset.class);
        assertThat(ada.seqs(general)).containsExactly(11L, 12L, 13L);
        assertThat(events).hasSize(5);
    }

    @Test
    void a_failed_catch_up_read_gives_reset_then_live_messages() {
        said(general, 3);
        FakeClient bob = joined("bob", general);
        FakeClient ada = connect("ada");
        store.holdReads();

        hub.join(ada, general, 1L, null);
        store.pendingReads().getFirst().fail();
        send(bob, general, "c4", "live");

        assertThat(ada.eventsOf(Delivery.Reset.class)).containsExactly(new Delivery.Reset(general, 3));
        assertThat(ada.seqs(general)).containsExactly(4L);
    }

    @Test
    void a_catch_up_read_that_completes_after_the_member_left_delivers_nothing() {
        said(general, 3);
        FakeClient ada = connect("ada");
        store.holdReads();

        hub.join(ada, general, 0L, null);
        hub.leave(ada, general);
        store.pendingReads().getFirst().completeAsOfRequest();

        assertThat(ada.seqs(general)).isEmpty();
    }

    // ---- presence and typing --------------------------------------------------------------------

    @Test
    void typing_reaches_the_other_members_but_not_the_typist() {
        FakeClient ada = joined("ada", general);
        FakeClient bob = joined("bob", general);
        FakeClient carol = joined("carol", random);

        hub.typing(ada, general, true);

        assertThat(bob.eventsOf(Fact.TypingChanged.class))
                .containsExactly(new Fact.TypingChanged(general, ada.info(), true));
        assertThat(ada.eventsOf(Fact.TypingChanged.class)).isEmpty();
        assertThat(carol.eventsOf(Fact.TypingChanged.class)).isEmpty();
    }

    @Test
    void typing_in_a_room_not_joined_is_refused_not_joined() {
        FakeClient ada = connect("ada");

        assertThatThrownBy(() -> hub.typing(ada, general, true))
                .isInstanceOfSatisfying(RoomException.class, e -> assertThat(e.refusal()).isEqualTo(Refusal.NOT_JOINED));
    }

    @Test
    void joining_and_leaving_are_announced_to_the_other_members_only() {
        FakeClient ada = joined("ada", general);
        FakeClient carol = joined("carol", random);
        FakeClient bob = connect("bob");

        hub.join(bob, general, null, null);
        hub.join(bob, general, null, null); // joining again is harmless and not announced again
        hub.leave(bob, general);

        assertThat(ada.eventsOf(Fact.PresenceChanged.class)).containsExactly(
                new Fact.PresenceChanged(general, bob.info(), true),
                new Fact.PresenceChanged(general, bob.info(), false));
        assertThat(bob.eventsOf(Fact.PresenceChanged.class)).isEmpty();
        assertThat(bob.eventsOf(Delivery.Entered.class)).hasSize(2);
        assertThat(carol.eventsOf(Fact.PresenceChanged.class)).isEmpty();
    }

    @Test
    void disconnecting_leaves_every_joined_room_and_tells_the_others() {
        FakeClient ada = joined("ada", general, random);
        FakeClient bob = joined("bob", general);
        FakeClient carol = joined("carol", random);
        ada.forget();

        hub.disconnect(ada);
        send(bob, general, "c1", "still there?");

        assertThat(bob.eventsOf(Fact.PresenceChanged.class))
                .containsExactly(new Fact.PresenceChanged(general, ada.info(), false));
        assertThat(carol.eventsOf(Fact.PresenceChanged.class))
                .containsExactly(new Fact.PresenceChanged(random, ada.info(), false));
        assertThat(ada.events()).isEmpty();
        assertThat(hub.rooms()).extracting(RoomInfo::online).containsExactly(1, 1);
    }

    // ---- rooms ----------------------------------------------------------------------------------

    @Test
    void a_created_room_is_announced_to_every_connected_member_except_its_creator() {
        FakeClient ada = connect("ada");
        FakeClient bob = connect("bob");
        FakeClient carol = joined("carol", general);

        RoomInfo design = hub.createRoom("design", "mockups", RoomKind.PUBLIC, ada).join();

        assertThat(design.name()).isEqualTo("design");
        assertThat(design.topic()).isEqualTo("mockups");
        assertThat(design.lastSeq()).isZero();
        assertThat(design.role()).as("the creator owns it").isEqualTo(Role.OWNER);
        Delivery.RoomAdded expected = new Delivery.RoomAdded(new RoomInfo(design.id(), "design", "mockups", 0, 0));
        assertThat(bob.eventsOf(Delivery.RoomAdded.class)).containsExactly(expected);
        assertThat(carol.eventsOf(Delivery.RoomAdded.class)).containsExactly(expected);
        assertThat(ada.eventsOf(Delivery.RoomAdded.class)).isEmpty();
        assertThat(hub.rooms()).extracting(RoomInfo::name).containsExactly("design", "general", "random");

        hub.join(bob, design.id(), null, null);
        assertThat(accepted(send(bob, design.id(), "c1", "first")).message().seq()).isEqualTo(1);
    }

    @Test
    void a_room_created_by_the_server_is_announced_to_everyone() {
        FakeClient ada = connect("ada");

        RoomInfo lobby = hub.createRoom("lobby", "", RoomKind.PUBLIC, null).join();

        assertThat(ada.eventsOf(Delivery.RoomAdded.class)).containsExactly(new Delivery.RoomAdded(lobby));
    }

    @Test
    void creating_a_room_whose_name_is_taken_ignoring_case_is_refused_name_taken_and_not_announced() {
        FakeClient ada = connect("ada");
        FakeClient bob = connect("bob");

        CompletableFuture<RoomInfo> created = hub.createRoom("GENERAL", "", RoomKind.PUBLIC, ada);

        assertThat(refusalOf(created)).isEqualTo(Refusal.NAME_TAKEN);
        assertThat(bob.events()).isEmpty();
        assertThat(hub.rooms()).hasSize(2);
    }

    // ---- history --------------------------------------------------------------------------------

    @Test
    void history_without_before_is_the_latest_page_oldest_first_with_has_more_when_older_exist() {
        said(general, 7);
        FakeClient ada = joined("ada", general);

        Hub.Page page = hub.history(ada, general, null, null).join();

        assertThat(page.room()).isEqualTo(general);
        assertThat(page.messages()).extracting(ChatMessage::seq).containsExactly(5L, 6L, 7L);
        assertThat(page.hasMore()).isTrue();
    }

    @Test
    void history_before_a_seq_pages_back_and_has_more_is_false_at_the_first_message() {
        said(general, 7);
        FakeClient ada = joined("ada", general);

        Hub.Page middle = hub.history(ada, general, 5L, 3).join();
        Hub.Page first = hub.history(ada, general, 4L, 3).join();
        Hub.Page partial = hub.history(ada, general, 3L, 3).join();

        assertThat(middle.messages()).extracting(ChatMessage::seq).containsExactly(2L, 3L, 4L);
        assertThat(middle.hasMore()).isTrue();
        assertThat(first.messages()).extracting(ChatMessage::seq).containsExactly(1L, 2L, 3L);
        assertThat(first.hasMore()).isFalse();
        assertThat(partial.messages()).extracting(ChatMessage::seq).containsExactly(1L, 2L);
        assertThat(partial.hasMore()).isFalse();
    }

    @Test
    void history_of_exactly_one_page_has_no_more_and_of_an_empty_room_is_empty() {
        said(general, 3);
        FakeClient ada = joined("ada", general, random);

        Hub.Page full = hub.history(ada, general, null, 3).join();
        Hub.Page empty = hub.history(ada, random, null, null).join();

        assertThat(full.messages()).extracting(ChatMessage::seq).containsExactly(1L, 2L, 3L);
        assertThat(full.hasMore()).isFalse();
        assertThat(empty.messages()).isEmpty();
        assertThat(empty.hasMore()).isFalse();
    }

    @Test
    void history_limit_is_clamped_to_history_page_max() {
        said(general, 20);
        FakeClient ada = joined("ada", general);

        Hub.Page page = hub.history(ada, general, null, 1_000).join();

        assertThat(page.messages()).extracting(ChatMessage::seq).containsExactlyElementsOf(seqs(16, 20));
        assertThat(page.hasMore()).isTrue();
        assertThat(store.pageLimits()).allSatisfy(limit -> assertThat(limit).isLessThanOrEqualTo(LIMITS.historyPageMax() + 1));
    }

    @Test
    void history_of_a_room_not_joined_is_refused_not_joined_and_of_an_unknown_room_no_such_room() {
        said(general, 3);
        FakeClient ada = joined("ada", random);

        assertThatThrownBy(() -> hub.history(ada, general, null, null))
                .isInstanceOfSatisfying(RoomException.class, e -> assertThat(e.refusal()).isEqualTo(Refusal.NOT_JOINED));
        assertThatThrownBy(() -> hub.history(ada, new RoomId("r_nowhere"), null, null))
                .isInstanceOfSatisfying(RoomException.class, e -> assertThat(e.refusal()).isEqualTo(Refusal.NO_SUCH_ROOM));
    }

    // ---- the room's call -----------------------------------------------------------------------

    /** A signal as the protocol would hand it over: opaque JSON text. */
    private static SignalPayload signal(String sdp) {
        return new SignalPayload("description", "{\"type\":\"offer\",\"sdp\":\"" + sdp + "\"}");
    }

    private static List<SessionId> sessionsOf(List<Participant> participants) {
        return participants.stream().map(p -> p.client().sessionId()).toList();
    }

    @Test
    void a_call_joiner_learns_its_place_before_the_room_hears_who_is_in_the_call() {
        FakeClient ada = joined("ada", general);
        FakeClient grace = joined("grace", general);
        ada.forget();
        grace.forget();

        hub.joinCall(ada, general, "c1");
        hub.joinCall(grace, general, "c2");

        List<Delivery> adaEvents = ada.events(general);
        assertThat(adaEvents.getFirst()).isInstanceOfSatisfying(Delivery.CallEntered.class, e -> {
            assertThat(e.ref()).isEqualTo("c1");
            assertThat(e.you().order()).isEqualTo(1);
        });
        List<Delivery> graceEvents = grace.events(general);
        Delivery.CallEntered graceEntered = grace.eventsOf(Delivery.CallEntered.class).getFirst();
        assertThat(graceEntered.you().order()).isEqualTo(2);
        assertThat(sessionsOf(graceEntered.participants())).containsExactly(ada.sessionId(), grace.sessionId());
        assertThat(graceEvents.indexOf(graceEntered)).as("CallEntered before the CallChanged of the same join")
                .isLessThan(graceEvents.indexOf(grace.eventsOf(Delivery.CallChanged.class).getLast()));
        assertThat(sessionsOf(ada.eventsOf(Delivery.CallChanged.class).getLast().participants()))
                .containsExactly(ada.sessionId(), grace.sessionId());
    }

    @Test
    void someone_in_the_room_but_not_the_call_sees_it_and_is_refused_beyond_call_max() {
        FakeClient a = joined("a", general);
        FakeClient b = joined("b", general);
        FakeClient c = joined("c", general);
        FakeClient d = joined("d", general);
        hub.joinCall(a, general, null);
        hub.joinCall(b, general, null);
        hub.joinCall(c, general, null);

        assertThat(sessionsOf(d.eventsOf(Delivery.CallChanged.class).getLast().participants()))
                .containsExactly(a.sessionId(), b.sessionId(), c.sessionId());
        assertThatThrownBy(() -> hub.joinCall(d, general, null))
                .isInstanceOfSatisfying(RoomException.class, e -> assertThat(e.refusal()).isEqualTo(Refusal.CALL_FULL));
        FakeClient outsider = joined("outsider", random);
        assertThatThrownBy(() -> hub.joinCall(outsider, general, null))
                .isInstanceOfSatisfying(RoomException.class, e -> assertThat(e.refusal()).isEqualTo(Refusal.NOT_JOINED));
    }

    @Test
    void signals_go_only_to_their_target_in_the_same_call_stamped_with_the_sender() {
        FakeClient ada = joined("ada", general);
        FakeClient grace = joined("grace", general);
        FakeClient bystander = joined("bystander", general);
        FakeClient elsewhere = joined("elsewhere", random);
        hub.joinCall(ada, general, null);
        hub.joinCall(grace, general, null);
        hub.joinCall(elsewhere, random, null);
        SignalPayload offer = signal("offer");

        hub.signal(ada, general, grace.sessionId(), offer);
        Fact.Signal got = grace.eventsOf(Fact.Signal.class).getFirst();
        assertThat(got.from().sessionId()).isEqualTo(ada.sessionId());
        assertThat(got.payload()).isSameAs(offer);

        record Attempt(Client from, RoomId room, Client to, Refusal expected) {}
        for (Attempt a : List.of(
                new Attempt(ada, general, bystander, Refusal.NO_SUCH_PARTICIPANT),
                new Attempt(ada, general, elsewhere, Refusal.NO_SUCH_PARTICIPANT),
                new Attempt(ada, general, ada, Refusal.NO_SUCH_PARTICIPANT),
                new Attempt(bystander, general, ada, Refusal.NOT_IN_CALL),
                new Attempt(ada, random, elsewhere, Refusal.NOT_JOINED))) {
            assertThatThrownBy(() -> hub.signal(a.from(), a.room(), a.to().sessionId(), signal("any")))
                    .isInstanceOfSatisfying(RoomException.class, e -> assertThat(e.refusal()).isEqualTo(a.expected()));
        }
        assertThat(grace.eventsOf(Fact.Signal.class)).hasSize(1);
        for (FakeClient m : List.of(ada, bystander, elsewhere)) assertThat(m.eventsOf(Fact.Signal.class)).isEmpty();
    }

    @Test
    void clients_racing_for_the_last_places_in_a_call_never_make_it_larger_than_call_max() throws Exception {
        int tries = 30;
        for (int t = 0; t < tries; t++) {
            RoomInfo room = hub.createRoom("race" + t, "", RoomKind.PUBLIC, null).join();
            List<FakeClient> racers = new ArrayList<>();
            for (int i = 0; i < 8; i++) racers.add(joined("racer" + t + "_" + i, room.id()));
            var start = new java.util.concurrent.CountDownLatch(1);
            var pool = java.util.concurrent.Executors.newFixedThreadPool(racers.size());
            try {
                List<java.util.concurrent.Future<?>> joins = new ArrayList<>();
                for (FakeClient r : racers) {
                    joins.add(pool.submit(() -> {
                        start.await();
                        try {
                            hub.joinCall(r, room.id(), null);
                        } catch (RoomException full) {
                            assertThat(full.refusal()).isEqualTo(Refusal.CALL_FULL);
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (var j : joins) j.get();
            } finally {
                pool.shutdown();
            }
            List<Participant> call = racers.getFirst().eventsOf(Delivery.CallChanged.class).getLast().participants();
            assertThat(call).as("try %d", t).hasSize(LIMITS.callMax());
            assertThat(racers.stream().filter(r -> !r.eventsOf(Delivery.CallEntered.class).isEmpty())).hasSize(LIMITS.callMax());
        }
    }

    @Test
    void participants_left_in_the_call_of_a_deleted_room_hear_who_is_in_it_before_the_room_goes() {
        FakeClient ada = connect("ada");
        RoomInfo board = hub.createRoom("board", "", RoomKind.PUBLIC, ada).join();
        FakeClient bob = joined("bob", board.id());
        hub.join(ada, board.id(), null, null);
        hub.joinCall(bob, board.id(), null);
        hub.joinCall(ada, board.id(), null);
        bob.forget();

        hub.moderation().deleteRoom(ada, board.id()).join();

        // Each connection leaves in turn, as on any exit: Bob hears the call shrink, then that the room is gone.
        List<Delivery> got = bob.events(board.id());
        assertThat(got.getLast()).isInstanceOfSatisfying(Delivery.Removed.class, r -> assertThat(r.reason()).isEqualTo("deleted"));
        assertThat(got.subList(0, got.size() - 1)).isNotEmpty().allMatch(d -> d instanceof Delivery.CallChanged);
    }

    @Test
    void a_disconnected_participant_leaves_the_call_and_the_last_one_out_ends_it() {
        FakeClient ada = joined("ada", general);
        FakeClient grace = joined("grace", general);
        FakeClient watcher = joined("watcher", general);
        hub.joinCall(ada, general, null);
        hub.joinCall(grace, general, null);

        hub.disconnect(grace);
        assertThat(sessionsOf(watcher.eventsOf(Delivery.CallChanged.class).getLast().participants())).containsExactly(ada.sessionId());
        assertThatThrownBy(() -> hub.signal(ada, general, grace.sessionId(), signal("any")))
                .isInstanceOfSatisfying(RoomException.class, e -> assertThat(e.refusal()).isEqualTo(Refusal.NO_SUCH_PARTICIPANT));

        hub.leaveCall(ada, general);
        assertThat(watcher.eventsOf(Delivery.CallChanged.class).getLast().participants()).isEmpty();
        assertThatThrownBy(() -> hub.leaveCall(ada, general))
                .isInstanceOfSatisfying(RoomException.class, e -> assertThat(e.refusal()).isEqualTo(Refusal.NOT_IN_CALL));
        hub.joinCall(watcher, general, null);
        assertThat(watcher.eventsOf(Delivery.CallEntered.class).getLast().you().order()).as("a new call counts from 1").isEqualTo(1);
    }

    // ---- continuity ------------------------------------------------------------------------------

    @Test
    void a_parked_participant_keeps_its_place_unseen_and_gets_the_signals_sent_meanwhile_when_it_resumes() {
        FakeClient ada = joined("ada", general);
        FakeClient grace = joined("grace", general);
        hub.joinCall(ada, general, null);
        hub.joinCall(grace, general, null);
        ada.forget();

        assertThat(hub.park(grace)).isTrue();
        hub.signal(ada, general, grace.sessionId(), signal("offer"));
        hub.send(ada, general, "m1", "hello", r -> {});
        assertThat(ada.events(general)).as("no one saw Grace leave").noneMatch(e -> e instanceof Delivery.CallChanged
                || e instanceof Fact.PresenceChanged);

        FakeClient stranger = new FakeClient(grace.sessionId().value(), "u_other", grace.name());
        assertThat(hub.resume(stranger, () -> {})).as("another user").isFalse();

        FakeClient back = new FakeClient(grace.sessionId().value(), grace.userId().value(), grace.name());
        List<String> order = new ArrayList<>();
        assertThat(hub.resume(back, () -> order.add("welcome"))).isTrue();
        assertThat(order).containsExactly("welcome");
        assertThat(back.eventsOf(Fact.Signal.class)).extracting(Fact.Signal::payload).containsExactly(signal("offer"));
        hub.signal(ada, general, back.sessionId(), signal("answer"));
        assertThat(back.eventsOf(Fact.Signal.class)).extracting(Fact.Signal::payload)
                .containsExactly(signal("offer"), signal("answer"));
        hub.disconnect(grace);
        assertThat(ada.events(general)).as("the old connection closing late changes nothing")
                .noneMatch(e -> e instanceof Delivery.CallChanged || e instanceof Fact.PresenceChanged);
    }

    @Test
    void a_parked_participant_removed_from_a_private_room_hears_of_it_when_it_resumes_and_is_no_longer_in_it() {
        store.addPerson("u_grace", "grace");
        FakeClient ada = connect("ada");
        RoomInfo board = hub.createRoom("board", "", RoomKind.PRIVATE, ada).join();
        hub.moderation().invite(ada, board.id(), new UserId("u_grace")).join();
        FakeClient grace = connect("grace");
        hub.join(ada, board.id(), null, null);
        hub.join(grace, board.id(), null, null);
        hub.joinCall(grace, board.id(), null);
        assertThat(hub.park(grace)).isTrue();

        hub.moderation().remove(ada, board.id(), grace.userId(), false).join();
        FakeClient back = new FakeClient(grace.sessionId().value(), grace.userId().value(), grace.name());
        assertThat(hub.resume(back, () -> {})).isTrue();

        assertThat(back.eventsOf(Delivery.Removed.class)).extracting(Delivery.Removed::reason).containsExactly("kicked");
        hub.send(ada, board.id(), "a1", "after the kick", r -> {});
        assertThat(back.events(board.id())).noneMatch(e -> e instanceof Fact.Posted);
        assertThatThrownBy(() -> hub.history(back, board.id(), null, null))
                .isInstanceOfSatisfying(RoomException.class, e -> assertThat(e.refusal()).isEqualTo(Refusal.NO_SUCH_ROOM));
    }

    @Test
    void a_parked_participant_that_does_not_come_back_leaves_when_its_grace_expires() {
        FakeClient ada = joined("ada", general);
        FakeClient grace = joined("grace", general);
        FakeClient chatOnly = joined("chat", general);
        hub.joinCall(ada, general, null);
        hub.joinCall(grace, general, null);

        assertThat(hub.park(chatOnly)).as("not in a call: nothing to keep").isFalse();
        assertThat(hub.park(grace)).isTrue();
        hub.expire(grace);
        assertThat(sessionsOf(ada.eventsOf(Delivery.CallChanged.class).getLast().participants())).containsExactly(ada.sessionId());
        assertThat(ada.eventsOf(Fact.PresenceChanged.class).getLast().client().sessionId()).isEqualTo(grace.sessionId());
        FakeClient late = new FakeClient(grace.sessionId().value(), grace.userId().value(), grace.name());
        assertThat(hub.resume(late, () -> {})).isFalse();
    }

    @Test
    void the_grace_of_a_drop_that_was_resumed_does_not_end_a_later_drop_of_the_same_session() {
        FakeClient ada = joined("ada", general);
        FakeClient grace = joined("grace", general);
        hub.joinCall(ada, general, null);
        hub.joinCall(grace, general, null);
        assertThat(hub.park(grace)).isTrue();
        FakeClient back = new FakeClient(grace.sessionId().value(), grace.userId().value(), grace.name());
        assertThat(hub.resume(back, () -> {})).isTrue();
        assertThat(hub.park(back)).as("the new connection drops too").isTrue();
        ada.forget();

        hub.expire(grace);
        assertThat(ada.events(general)).as("the first drop's grace is over, the second's is not")
                .noneMatch(e -> e instanceof Delivery.CallChanged || e instanceof Fact.PresenceChanged);
        hub.expire(back);
        assertThat(ada.eventsOf(Fact.PresenceChanged.class).getLast().client().sessionId()).isEqualTo(grace.sessionId());
    }
}
