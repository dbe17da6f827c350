package parley.room;

import java.util.List;

/**
 * What the hub hands to one connection ({@link Client#deliver}). Some deliveries are {@link Fact facts} as
 * they came from the bus; the others are made for one connection (its view of a room, its place in a call).
 */
public sealed interface Delivery permits Delivery.Shared, Delivery.Entered, Delivery.Reset, Delivery.CallEntered,
        Delivery.Removed, Delivery.RoomAdded, Fact.Signal, Fact.FileSignal, Fact.ReadMoved, Fact.NotifyChanged {

    RoomId room();

    /**
     * A delivery handed to several members alike: one instance for all of them, in a row, so an encoder
     * may cache its encoding by identity.
     */
    sealed interface Shared extends Delivery permits Fact.Posted, Fact.PresenceChanged, Fact.TypingChanged,
            Fact.FileStored, Fact.MembershipChanged, CallChanged {}

    /**
     * To the joiner only, before any other delivery of that room: the room as it sees it, who is in it
     * now, and who is in its call (empty when there is none); {@code ref} is the caller's correlation token.
     */
    record Entered(RoomInfo info, List<ClientInfo> members, List<Participant> call, String ref) implements Delivery {
        @Override
        public RoomId room() {
            return info.id();
        }
    }

    /** The member missed too much to catch up message by message: it must reload the room's history. */
    record Reset(RoomId room, long lastSeq) implements Delivery {}

    /** To a member that joined the room's call: its place and who else is in it, before any signal. */
    record CallEntered(RoomId room, String call, Participant you, List<Participant> participants, String ref) implements Delivery {}

    /** To every member of the room, in the call or not, whenever the call's participants change. */
    record CallChanged(RoomId room, List<Participant> participants) implements Shared {}

    /** The room is gone for this person ({@code kicked}, {@code banned}, {@code quit} or {@code deleted}). */
    record Removed(RoomId room, String reason, UserRef by, String ref) implements Delivery {}

    /** A room this person may see now (created, or given to them), as they see it. */
    record RoomAdded(RoomInfo info) implements Delivery {
        @Override
        public RoomId room() {
            return info.id();
        }
    }
}
