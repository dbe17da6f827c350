package parley.room;

import java.util.List;

/** What the hub delivers to members. */
public sealed interface RoomEvent {

    /**
     * To the joiner only, before any other event of that room; {@code call} is who is in the room's call
     * now (empty when there is none); {@code ref} is the caller's correlation token.
     */
    record Entered(RoomInfo room, List<MemberInfo> members, List<Participant> call, String ref) implements RoomEvent {}

    /** A stored message. Each member receives a room's messages in seq order, each once. */
    record Posted(ChatMessage message) implements RoomEvent {}

    /** Someone joined or left the room; not sent to that someone. */
    record PresenceChanged(RoomId room, MemberInfo member, boolean joined) implements RoomEvent {}

    /** Not sent to the typist. */
    record TypingChanged(RoomId room, MemberInfo member, boolean active) implements RoomEvent {}

    /**
     * A room was created, or someone was given a room (invited to it, or a direct room opened with them). On
     * the bus it carries the room as created ({@code members}: its first members); each connection that may
     * see it gets it with its own view of it, except {@code creator}, which gets the reply.
     */
    record RoomAdded(RoomInfo room, java.util.List<RoomMember> members, SessionId creator) implements RoomEvent {}

    /**
     * Someone's place in a room changed: {@code role} given (invited, or a new role), or, with {@code role}
     * null, removed for {@code reason} ({@code kicked}, {@code banned}, {@code quit}; {@code unbanned} lifts
     * a ban). To the room's joined members but {@code actor}, whose connection gets the reply.
     */
    record MemberChanged(RoomId room, UserRef user, Role role, String reason, UserRef by, SessionId actor) implements RoomEvent {}

    /** The room is gone for this person ({@code kicked}, {@code banned}, {@code quit} or {@code deleted}). */
    record Removed(RoomId room, String reason, UserRef by, String ref) implements RoomEvent {}

    /** The room was deleted by {@code by}, with everything in it; {@code actor}'s connection gets the reply. */
    record RoomDeleted(RoomId room, UserRef by, SessionId actor) implements RoomEvent {}

    /** The member missed too much to catch up message by message: it must reload the room's history. */
    record Reset(RoomId room, long lastSeq) implements RoomEvent {}

    /** To a member that joined the room's call: its place and who else is in it, before any signal. */
    record CallEntered(RoomId room, Participant you, List<Participant> participants, String ref) implements RoomEvent {}

    /** To every member of the room, in the call or not, whenever the call's participants change. */
    record CallChanged(RoomId room, List<Participant> participants) implements RoomEvent {}

    /** The bytes of a file shared in the room are on the server now: it can be downloaded. */
    record FileStored(RoomId room, String fileId) implements RoomEvent {}

    /** WebRTC signalling from one participant to another; the hub relays {@code payload} without reading it. */
    record SignalRelayed(RoomId room, MemberInfo from, Object payload) implements RoomEvent {}

    /** File transfer signalling from one member of the room to another; {@code payload} is opaque here. */
    record FileSignalRelayed(RoomId room, MemberInfo from, String file, Object payload) implements RoomEvent {}
}
