package parley.room;

import java.util.List;

/**
 * What happened in a room, as every node must learn it: the bus carries facts, and each node's {@link Hub}
 * applies them to its rooms and its connections in one exhaustive switch.
 *
 * <p>A fact holds only domain values (ids, names, numbers, and signalling as opaque JSON text), so a bus
 * that crosses processes can serialise it without knowing the protocol. The facts that members receive
 * as they are (a message, presence, typing...) are also {@link Delivery deliveries}: one instance goes to
 * every seat, so an encoder may encode it once.
 *
 * <p>{@link RoomCreated}, {@link MembershipChanged} and {@link RoomDeleted}, which change who may see a room,
 * travel on the rooms channel (a node hears of a new room there before it knows the room's own channel);
 * every other fact on its room's channel, so a room's messages, presence, call and signals reach each node
 * in the order they were published.
 */
public sealed interface Fact permits Fact.Posted, Fact.PresenceChanged, Fact.TypingChanged, Fact.FileStored,
        Fact.RoomCreated, Fact.MembershipChanged, Fact.RoomDeleted, Fact.CallJoined, Fact.CallLeft, Fact.MediaChanged,
        Fact.Signal, Fact.FileSignal, Fact.ReadMoved, Fact.NotifyChanged {

    /** The room the fact is about. */
    RoomId room();

    /** A stored message. Each member receives a room's messages in seq order, each once. */
    record Posted(ChatMessage message) implements Fact, Delivery.Shared {
        @Override
        public RoomId room() {
            return message.room();
        }
    }

    /** Someone joined or left the room; not delivered to that someone. */
    record PresenceChanged(RoomId room, ClientInfo client, boolean joined) implements Fact, Delivery.Shared {}

    /** Not delivered to the typist. */
    record TypingChanged(RoomId room, ClientInfo client, boolean active) implements Fact, Delivery.Shared {}

    /** The bytes of a file shared in the room are on the server now: it can be downloaded. */
    record FileStored(RoomId room, String fileId) implements Fact, Delivery.Shared {}

    /**
     * A room was created, with its first {@code members}; every connection that may see it hears of it with
     * its own view ({@link Delivery.RoomAdded}), except {@code creator}'s, which gets the reply.
     */
    record RoomCreated(RoomInfo info, List<Membership> members, SessionId creator) implements Fact {
        @Override
        public RoomId room() {
            return info.id();
        }
    }

    /**
     * Someone's place in a room changed: {@code role} given (invited, or a new role), or, with {@code role}
     * null, removed for {@code reason} ({@code kicked}, {@code banned}, {@code quit}; {@code unbanned} lifts
     * a ban). Delivered to the room's joined members but {@code actor}, whose connection gets the reply.
     */
    record MembershipChanged(RoomId room, UserRef user, Role role, String reason, UserRef by, SessionId actor)
            implements Fact, Delivery.Shared {}

    /** The room was deleted by {@code by}, with everything in it; {@code actor}'s connection gets the reply. */
    record RoomDeleted(RoomId room, UserRef by, SessionId actor) implements Fact {}

    /**
     * {@code member} joined the room's call; {@code ref} is its request's correlation token, for the reply
     * its own node gives it. Its place in joining order is given where the fact is applied: every node
     * applies a room's facts in one order, so every node gives the same place. {@code call}: the id the call
     * takes if this join starts it (the decider's proposal; a join into a call in progress keeps the call's).
     */
    record CallJoined(RoomId room, ClientInfo client, String ref, String call) implements Fact {}

    record CallLeft(RoomId room, SessionId session) implements Fact {}

    /** What a participant sends changed (microphone, camera, screen). */
    record MediaChanged(RoomId room, SessionId session, Participant.Media media) implements Fact {}

    /** Call signalling for one participant, from another; delivered where {@code to} is seated. */
    record Signal(RoomId room, ClientInfo from, SessionId to, SignalPayload payload) implements Fact, Delivery {}

    /** File transfer signalling for one member of the room, from another; delivered where {@code to} is seated. */
    record FileSignal(RoomId room, ClientInfo from, SessionId to, String file, SignalPayload payload)
            implements Fact, Delivery {}

    /**
     * {@code user}'s read marker in the room moved forward: {@code state} is where they are now. Delivered to
     * their other connections (all of them, joined to the room or not), so that every tab shows the same
     * unread counts; {@code actor}'s connection gets the reply.
     */
    record ReadMoved(RoomId room, UserId user, ReadState state, SessionId actor) implements Fact, Delivery {}

    /** {@code user} chose how to be notified of the room's messages (null: the default); delivered as {@link ReadMoved}. */
    record NotifyChanged(RoomId room, UserId user, ReadState.Notify level, SessionId actor) implements Fact, Delivery {}
}
