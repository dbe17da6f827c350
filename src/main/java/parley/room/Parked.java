package parley.room;

import java.util.ArrayList;
import java.util.List;

/**
 * Stands in for a call participant whose socket dropped, for the grace period: it keeps the session's
 * seats in its rooms and calls, so the others see no one leave. It drops what the session would have
 * been sent (a resumed client catches up on messages by sequence number) except WebRTC signals, which
 * it keeps, up to {@link #MAX_SIGNALS}, for the session when it comes back, and news of its rooms (a room
 * given to it, or taken away), up to {@link #MAX_ROOM_NEWS}: those change what the client may see.
 */
final class Parked implements Client {
    /** Enough for a few renegotiations with all their candidates; beyond it ICE restarts recover. */
    static final int MAX_SIGNALS = 256;
    /** Rooms added or removed while away; beyond it a resumed client learns the rest from list_rooms. */
    static final int MAX_ROOM_NEWS = 64;

    private final Client was;
    private final List<Fact.Signal> signals = new ArrayList<>();
    private final List<Delivery> roomNews = new ArrayList<>();

    Parked(Client was) {
        this.was = was;
    }

    /** Whether this keeps the place of {@code client}, the connection whose drop parked the session. */
    boolean standsFor(Client client) {
        return was == client;
    }

    @Override
    public SessionId sessionId() {
        return was.sessionId();
    }

    @Override
    public UserId userId() {
        return was.userId();
    }

    @Override
    public String name() {
        return was.name();
    }

    @Override
    public boolean admin() {
        return was.admin();
    }

    @Override
    public synchronized void deliver(Delivery delivery) {
        switch (delivery) {
            case Fact.Signal s -> {
                if (signals.size() < MAX_SIGNALS) signals.add(s);
            }
            case Delivery.Removed r -> keepNews(r);
            case Delivery.RoomAdded a -> keepNews(a);
            // Caught up by seq on resuming, or sent afresh: the room, its call, messages, presence, typing, files.
            case Delivery.Shared s -> { }
            case Delivery.Entered e -> { }
            case Delivery.Reset r -> { }
            case Delivery.CallEntered c -> { }
            // A file transfer's receiver asks again for what it missed.
            case Fact.FileSignal f -> { }
            // A client that comes back lists its rooms, with its read state in each.
            case Fact.ReadMoved r -> { }
            case Fact.NotifyChanged n -> { }
        }
    }

    private void keepNews(Delivery news) {
        if (roomNews.size() < MAX_ROOM_NEWS) roomNews.add(news);
    }

    /** Removes and returns the rooms added and removed meanwhile, in the order they came. */
    synchronized List<Delivery> takeRoomNews() {
        List<Delivery> out = List.copyOf(roomNews);
        roomNews.clear();
        return out;
    }

    /** Removes and returns the signals kept for {@code room}, in the order they came. */
    synchronized List<Fact.Signal> take(RoomId room) {
        List<Fact.Signal> out = new ArrayList<>();
        signals.removeIf(s -> s.room().equals(room) && out.add(s));
        return out;
    }
}
