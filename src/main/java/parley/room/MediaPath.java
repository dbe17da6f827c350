package parley.room;

import java.util.Map;

/**
 * How a call's media flows between its participants, and so where their signalling goes: the seam
 * between a room's call and its media. {@link MeshPath}, browsers connected pairwise with the server
 * relaying their signalling, is today's; a selective forwarding unit, where each browser signals with the
 * SFU instead, is the next. The call keeps its roster itself; a media path only says how many it can
 * carry and routes signals.
 */
public interface MediaPath {

    /** The most participants one call on this path may have. */
    int capacity();

    /**
     * Routes a signal that {@code from}, a participant of the room's call, addressed to {@code to}.
     * Runs under the room's lock; must not block. Throws {@link RoomException} when {@code to} cannot
     * take it (nothing is sent then).
     *
     * @param call the call's participants now, by session, in joining order
     */
    void signal(RoomId room, Participant from, SessionId to, SignalPayload payload, Map<SessionId, Participant> call);
}
