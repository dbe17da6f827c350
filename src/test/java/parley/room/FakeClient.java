package parley.room;

import java.util.ArrayList;
import java.util.List;

/**
 * A member that records everything the hub delivers to it, in delivery order. Thread-safe, so a test
 * may deliver from several threads and read from its own.
 */
final class FakeClient implements Client {
    private final SessionId sessionId;
    private final UserId userId;
    private final String name;
    private final List<Delivery> events = new ArrayList<>();

    /** A member whose session and user ids are derived from its name. */
    FakeClient(String name) {
        this("s_" + name, "u_" + name, name);
    }

    FakeClient(String sessionId, String userId, String name) {
        this.sessionId = new SessionId(sessionId);
        this.userId = new UserId(userId);
        this.name = name;
    }

    @Override
    public SessionId sessionId() {
        return sessionId;
    }

    @Override
    public UserId userId() {
        return userId;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized void deliver(Delivery delivery) {
        events.add(delivery);
    }

    synchronized List<Delivery> events() {
        return List.copyOf(events);
    }

    /** The events that concern {@code room}, in delivery order. */
    List<Delivery> events(RoomId room) {
        return events().stream().filter(e -> room.equals(e.room())).toList();
    }

    /** The seq of every message of {@code room} delivered, in delivery order (duplicates kept). */
    List<Long> seqs(RoomId room) {
        return events(room).stream()
                .filter(e -> e instanceof Fact.Posted)
                .map(e -> ((Fact.Posted) e).message().seq())
                .toList();
    }

    <E extends Delivery> List<E> eventsOf(Class<E> type) {
        return events().stream().filter(type::isInstance).map(type::cast).toList();
    }

    synchronized void forget() {
        events.clear();
    }

    @Override
    public String toString() {
        return name;
    }
}
