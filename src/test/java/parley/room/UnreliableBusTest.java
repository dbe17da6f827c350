package parley.room;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import parley.bus.Bus;
import parley.bus.LocalBus;

/**
 * Delivery does not trust the bus: a bus between processes may lose a message, repeat it, or hand it over
 * late. Whatever this one does to the room's messages, each member gets every message once, in seq order;
 * and a call fact that comes late does not put back in the call someone who has left.
 */
class UnreliableBusTest {
    /** A catch-up (and so a gap fill) of at most 4 messages. */
    private static final Hub.Limits LIMITS = new Hub.Limits(200, 3, 5, 4, 3);

    private final MemoryStore store = new MemoryStore();
    private final RoomId general = store.addRoom("r_general", "general");
    private final UnreliableBus bus = new UnreliableBus();
    private final Hub hub = Hub.open(store, bus, LIMITS, Clock.fixed(Instant.ofEpochMilli(1_764_000_000_000L), ZoneOffset.UTC));

    @AfterEach
    void close() {
        hub.close();
    }

    /** A bus that drops, repeats or holds back the room messages the test names, and passes on everything else. */
    private static final class UnreliableBus implements Bus<Fact> {
        private final LocalBus<Fact> bus = new LocalBus<>();
        Set<Long> drop = Set.of();
        Set<Long> repeat = Set.of();
        Set<Long> holdBack = Set.of();
        /** Other facts to hold back, such as a call join. */
        Predicate<Fact> holdBackAlso = f -> false;
        private final List<Runnable> heldBack = new ArrayList<>();

        @Override
        public void publish(String channel, Fact fact) {
            long seq = fact instanceof Fact.Posted p ? p.message().seq() : -1;
            if (drop.contains(seq)) return;
            if (holdBack.contains(seq) || holdBackAlso.test(fact)) {
                heldBack.add(() -> bus.publish(channel, fact));
                return;
            }
            bus.publish(channel, fact);
            if (repeat.contains(seq)) bus.publish(channel, fact);
        }

        /** Hands over, late, what was held back. */
        void release() {
            heldBack.forEach(Runnable::run);
            heldBack.clear();
        }

        @Override
        public Subscription subscribe(String channel, Consumer<Fact> handler) {
            return bus.subscribe(channel, handler);
        }

        @Override
        public void close() {
            bus.close();
        }
    }

    private FakeClient joined(String name) {
        FakeClient m = new FakeClient(name);
        hub.connect(m);
        hub.join(m, general, null, null);
        return m;
    }

    private void say(FakeClient m, long from, long to) {
        for (long seq = from; seq <= to; seq++) hub.send(m, general, "c" + seq, "message " + seq, r -> {});
    }

    private static List<Long> seqs(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    @Test
    void messages_the_bus_drops_repeats_or_hands_over_late_still_reach_everyone_once_in_order() {
        FakeClient ada = joined("ada");
        FakeClient bob = joined("bob");
        bus.drop = Set.of(2L, 6L, 7L);
        bus.repeat = Set.of(3L, 8L);
        bus.holdBack = Set.of(4L);

        say(ada, 1, 9);
        bus.release(); // 4 comes after 9

        assertThat(ada.seqs(general)).containsExactlyElementsOf(seqs(1, 9));
        assertThat(bob.seqs(general)).containsExactlyElementsOf(seqs(1, 9));
        assertThat(hub.rooms().getFirst().lastSeq()).isEqualTo(9);
    }

    @Test
    void messages_after_a_gap_wait_for_it_to_be_filled_from_the_store() {
        FakeClient ada = joined("ada");
        FakeClient bob = joined("bob");
        store.holdReads();
        bus.drop = Set.of(2L);

        say(ada, 1, 4);
        assertThat(bob.seqs(general)).as("3 and 4 wait while 2 is read").containsExactly(1L);
        store.pendingReads().getFirst().completeAsOfRequest();

        assertThat(bob.seqs(general)).containsExactlyElementsOf(seqs(1, 4));
        assertThat(ada.seqs(general)).containsExactlyElementsOf(seqs(1, 4));
    }

    @Test
    void a_gap_the_store_cannot_fill_is_skipped_and_everyone_is_told_to_reload() {
        FakeClient bob = joined("bob");
        FakeClient ada = joined("ada");
        store.holdReads();
        bus.drop = Set.of(2L, 3L);

        say(ada, 1, 5);
        store.pendingReads().getFirst().fail();
        say(ada, 6, 6);

        assertThat(bob.seqs(general)).containsExactly(1L, 4L, 5L, 6L);
        assertThat(bob.eventsOf(Delivery.Reset.class)).containsExactly(new Delivery.Reset(general, 3));
        assertThat(bob.events(general).indexOf(bob.eventsOf(Delivery.Reset.class).getFirst()))
                .as("the reset comes before the messages after the gap")
                .isLessThan(bob.events(general).indexOf(bob.eventsOf(Fact.Posted.class).get(1)));
    }

    @Test
    void a_gap_wider_than_a_catch_up_is_not_read_message_by_message() {
        FakeClient bob = joined("bob");
        FakeClient ada = joined("ada");
        bus.drop = Set.of(2L, 3L, 4L, 5L, 6L);

        say(ada, 1, 7);

        assertThat(store.pendingReads()).isEmpty();
        assertThat(bob.eventsOf(Delivery.Reset.class)).containsExactly(new Delivery.Reset(general, 6));
        assertThat(bob.seqs(general)).containsExactly(1L, 7L);
    }

    @Test
    void a_seat_catching_up_when_a_gap_is_found_gets_every_message_once_in_order_and_no_reset() {
        FakeClient ada = joined("ada");
        say(ada, 1, 2);
        FakeClient bob = new FakeClient("bob");
        hub.connect(bob);
        store.holdReads();
        hub.join(bob, general, 1L, null); // its catch-up read waits
        bus.drop = Set.of(4L);

        say(ada, 3, 5);
        assertThat(store.pendingReads()).as("bob's catch-up and the gap's fill").hasSize(2);
        store.pendingReads().forEach(MemoryStore.PendingRead::completeWithCurrent);

        assertThat(bob.seqs(general)).containsExactlyElementsOf(seqs(2, 5));
        assertThat(ada.seqs(general)).containsExactlyElementsOf(seqs(1, 5));
        assertThat(bob.eventsOf(Delivery.Reset.class)).isEmpty();
    }

    @Test
    void a_call_join_that_comes_after_its_client_left_the_room_puts_no_one_in_the_call() {
        FakeClient watcher = joined("watcher");
        FakeClient ada = joined("ada");
        bus.holdBackAlso = f -> f instanceof Fact.CallJoined;

        hub.joinCall(ada, general, "j1");
        hub.leave(ada, general);
        bus.release();

        assertThat(ada.eventsOf(Delivery.CallEntered.class)).isEmpty();
        assertThat(watcher.eventsOf(Delivery.CallChanged.class)).isEmpty();
        FakeClient bob = joined("bob");
        assertThat(bob.eventsOf(Delivery.Entered.class).getFirst().call()).isEmpty();
    }
}
