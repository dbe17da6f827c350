package parley.room;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A room's call as this node knows it: who is in it, in joining order, and what each sends. It changes
 * only by facts ({@link Fact.CallJoined}, {@link Fact.CallLeft}, {@link Fact.MediaChanged}) applied in the
 * room's order, so every node holds the same roster and gives the same places. Its {@link MediaPath} says
 * how many it can carry and where signals go. Not thread-safe: its room's lock guards it.
 */
final class Call {
    private final RoomId room;
    private final MediaPath path;
    private final Map<SessionId, Participant> participants = new LinkedHashMap<>();
    private final Map<SessionId, Participant> view = Collections.unmodifiableMap(participants);
    private int nextOrder = 1;

    Call(RoomId room, MediaPath path) {
        this.room = room;
        this.path = path;
    }

    List<Participant> participants() {
        return List.copyOf(participants.values());
    }

    /** The participant of this session, or null. */
    Participant get(SessionId session) {
        return participants.get(session);
    }

    boolean has(SessionId session) {
        return participants.containsKey(session);
    }

    boolean full() {
        return participants.size() >= path.capacity();
    }

    int capacity() {
        return path.capacity();
    }

    /** Adds the client after everyone in the call; null when it is in the call already. */
    Participant add(ClientInfo client) {
        if (participants.containsKey(client.sessionId())) return null;
        Participant p = new Participant(client, nextOrder++, Participant.Media.NONE);
        participants.put(client.sessionId(), p);
        return p;
    }

    /** Returns false when the session was not in the call. The call ends with its last participant. */
    boolean remove(SessionId session) {
        if (participants.remove(session) == null) return false;
        if (participants.isEmpty()) nextOrder = 1;
        return true;
    }

    /** Returns false when nothing changed (not in the call, or the same media). */
    boolean setMedia(SessionId session, Participant.Media media) {
        Participant p = participants.get(session);
        if (p == null || p.media().equals(media)) return false;
        participants.put(session, p.with(media));
        return true;
    }

    /** Hands a participant's signal to the media path. */
    void signal(Participant from, SessionId to, SignalPayload payload) {
        path.signal(room, from, to, payload, view);
    }
}
