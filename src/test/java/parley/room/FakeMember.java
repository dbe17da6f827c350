package parley.room;

import java.util.ArrayList;
import java.util.List;

/**
 * A member that records every event the hub delivers to it, in delivery order. Thread-safe, so a test
 * may deliver from several threads and read from its own.
 */
final class FakeMember implements Member {
    private final SessionId sessionId;
    private final UserId userId;
    private final String name;
    private final List<RoomEvent> events = new ArrayList<>();

    /** A member whose session and user ids are derived from its name. */
    FakeMember(String name) {
        this("s_" + name, "u_" + name, name);
    }

    FakeMember(String sessionId, String userId, String name) {
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
    public synchronized void deliver(RoomEvent event) {
        events.add(event);
    }

    synchronized List<RoomEvent> events() {
        return List.copyOf(events);
    }

    /** The events that concern {@code room}, in delivery order. */
    List<RoomEvent> events(RoomId room) {
        return events().stream().filter(e -> room.equals(roomOf(e))).toList();
    }

    /** The seq of every message of {@code room} delivered, in delivery order (duplicates kept). */
    List<Long> seqs(RoomId room) {
        return events(room).stream()
                .filter(e -> e instanceof RoomEvent.Posted)
                .map(e -> ((RoomEvent.Posted) e).message().seq())
                .toList();
    }

    <E extends RoomEvent> List<E> eventsOf(Class<E> type) {
        return events().stream().filter(type::isInstance).map(type::cast).toList();
    }

    synchronized void forget() {
        events.clear();
    }

    static RoomId roomOf(RoomEvent event) {
        return switch (event) {
            case RoomEvent.Entered e -> e.room().id();
            case RoomEvent.Posted p -> p.message().room();
            case RoomEvent.PresenceChanged p -> p.room();
            case RoomEvent.TypingChanged t -> t.room();
            case RoomEvent.RoomAdded a -> a.room().id();
            case RoomEvent.Reset r -> r.room();
            case RoomEvent.CallEntered c -> c.room();
            case RoomEvent.CallChanged c -> c.room();
            case RoomEvent.SignalRelayed s -> s.room();
            case RoomEvent.FileStored f -> f.room();
            case RoomEvent.FileSignalRelayed s -> s.room();
            case RoomEvent.MemberChanged m -> m.room();
            case RoomEvent.Removed r -> r.room();
            case RoomEvent.RoomDeleted d -> d.room();
        };
    }

    @Override
    public String toString() {
        return name;
    }
}
