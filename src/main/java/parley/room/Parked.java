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
final class Parked implements Member {
    /** Enough for a few renegotiations with all their candidates; beyond it ICE restarts recover. */
    static final int MAX_SIGNALS = 256;
    /** Rooms added or removed while away; beyond it a resumed client learns the rest from list_rooms. */
    static final int MAX_ROOM_NEWS = 64;

    private final Member was;
    private final List<RoomEvent.SignalRelayed> signals = new ArrayList<>();
    private final List<RoomEvent> roomNews = new ArrayList<>();

    Parked(Member was) {
        this.was = was;
    }

    /** Whether this keeps the place of {@code member}, the connection whose drop parked the session. */
    boolean standsFor(Member member) {
        return was == member;
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
    public synchronized void deliver(RoomEvent event) {
        if (event instanceof RoomEvent.SignalRelayed s && signals.size() < MAX_SIGNALS) signals.add(s);
        if ((event instanceof RoomEvent.Removed || event instanceof RoomEvent.RoomAdded) && roomNews.size() < MAX_ROOM_NEWS) {
            roomNews.add(event);
        }
    }

    /** Removes and returns the rooms added and removed meanwhile, in the order they came. */
    synchronized List<RoomEvent> takeRoomNews() {
        List<RoomEvent> out = List.copyOf(roomNews);
        roomNews.clear();
        return out;
    }

    /** Removes and returns the signals kept for {@code room}, in the order they came. */
    synchronized List<RoomEvent.SignalRelayed> take(RoomId room) {
        List<RoomEvent.SignalRelayed> out = new ArrayList<>();
        signals.removeIf(s -> s.room().equals(room) && out.add(s));
        return out;
    }
}
