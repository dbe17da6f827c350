package parley.room;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import parley.testing.Await;

/** The read markers of one node: forward only, and coalesced before they reach the store. */
class ReadMarkersTest {
    private final MemoryStore store = new MemoryStore();
    private final RoomId room = store.addRoom("r_1", "general");
    private final UserId ada = new UserId("u_ada");

    private void post(int count) {
        for (int i = 0; i < count; i++) {
            store.append(new ChatStore.NewMessage(room, new UserId("u_grace"), "Grace", "c" + i, "message " + i, 1L), outcome -> {});
        }
    }

    @Test
    void moves_within_the_delay_reach_the_store_as_one_write_of_the_furthest() {
        post(10);
        ReadMarkers markers = new ReadMarkers(store, Duration.ofMinutes(1), 999);
        for (long seq = 1; seq <= 10; seq++) assertThat(markers.read(ada, room, seq).join().moved()).isTrue();
        assertThat(markers.read(ada, room, 4).join().moved()).isFalse();
        assertThat(store.markerWrites()).as("nothing written before the delay").isEmpty();
        assertThat(markers.states(ada, List.of(room)).join().getFirst().read()).as("but already known").isEqualTo(10);

        markers.close();
        assertThat(store.markerWrites()).containsExactly(List.of(new ReadState.Marker(ada, room, 10)));
    }

    @Test
    void a_move_is_written_once_the_delay_is_over() {
        post(3);
        ReadMarkers markers = new ReadMarkers(store, Duration.ofMillis(20), 999);
        markers.read(ada, room, 2).join();
        Await.until(() -> !store.markerWrites().isEmpty());
        assertThat(store.readStates(ada, Map.of(room, 0L), 999).join().getFirst().read()).isEqualTo(2);
        assertThat(store.readStates(ada, Map.of(room, 0L), 999).join().getFirst().unread()).isEqualTo(1);
        markers.close();
    }
}
