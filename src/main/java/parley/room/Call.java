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
    /** Told of each participant that comes and goes, to keep the call's record (see {@link CallLog}). */
    interface Recorder {
        void joined(String call, RoomId room, ClientInfo who);

        void left(String call, SessionId session);

        Recorder NONE = new Recorder() {
            @Override
            public void joined(String call, RoomId room, ClientInfo who) {}

            @Override
            public void left(String call, SessionId session) {}
        };
    }

    private final RoomId room;
    private final MediaPath path;
    private final Recorder recorder;
    /** The id of the call in progress (null when none): the id its first participant's fact proposed. */
    private String id;
    private final Map<SessionId, Participant> participants = new LinkedHashMap<>();
    private final Map<SessionId, Participant> view = Collections.unmodifiableMap(participants);
    private int nextOrder = 1;

    Call(RoomId room, MediaPath path, Recorder recorder) {
        this.room = room;
        this.path = path;
        this.recorder = recorder;
    }

    /** The id of the call in progress, or null. */
    String id() {
        return id;
    }

    /** The id a join would give the call: its own while in progress, a new one otherwise. */
    String idForJoin() {
        return id != null ? id : Ids.random("c_");
    }

    List<Participant> participants() {
        return List.copyOf(participants.values());
    }

    int size() {
        return participants.size();
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

    /**
     * Adds the client after everyone in the call; null when it is in the call already. The first participant
     * starts a call with {@code proposedId} (its join's); later ones join the call in progress.
     */
    Participant add(ClientInfo client, String proposedId) {
        if (participants.containsKey(client.sessionId())) return null;
        if (participants.isEmpty()) id = proposedId;
        Participant p = new Participant(client, nextOrder++, Participant.Media.NONE);
        participants.put(client.sessionId(), p);
        recorder.joined(id, room, client);
        return p;
    }

    /** Returns false when the session was not in the call. The call ends with its last participant. */
    boolean remove(SessionId session) {
        if (participants.remove(session) == null) return false;
        recorder.left(id, session);
        if (participants.isEmpty()) {
            nextOrder = 1;
            id = null;
        }
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
