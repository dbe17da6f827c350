package parley.room;

import java.util.Map;
import java.util.function.Consumer;

/**
 * The peer-to-peer mesh: every participant connects to every other, so a signal goes to the participant
 * it names, through the bus like any other fact (that participant may be on another node). Each browser
 * uploads its media once per other participant, which is what limits a mesh to a few people.
 */
public final class MeshPath implements MediaPath {
    private final int capacity;
    private final Consumer<Fact> publish;

    /** {@code publish} puts a fact on the bus (the hub's own publish). */
    public MeshPath(int capacity, Consumer<Fact> publish) {
        this.capacity = capacity;
        this.publish = publish;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public void signal(RoomId room, Participant from, SessionId to, SignalPayload payload, Map<SessionId, Participant> call) {
        if (to.equals(from.client().sessionId()) || !call.containsKey(to)) {
            throw new RoomException(Refusal.NO_SUCH_PARTICIPANT, "no participant " + to + " in this call");
        }
        publish.accept(new Fact.Signal(room, from.client(), to, payload));
    }
}
