package parley.room;

/**
 * Where one person is in one room: {@code read}, the seq up to which they have read (their read marker, 0
 * when they have read nothing); {@code unread}, the messages after it that they have not read (kind message,
 * not deleted, not their own), of which {@code mentions} mention them; both counted up to {@code lastSeq},
 * the room's last seq when they were counted, and at most {@code unread-count-max} of the latest.
 * {@code level}: how they want to be notified of the room's messages, null for the default.
 */
public record ReadState(RoomId room, long read, long lastSeq, int unread, int mentions, Notify level) {

    /** How the page notifies a person of a room's messages. */
    public enum Notify {
        ALL, MENTIONS, NONE;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Notify of(String wire) {
            return wire == null ? null : valueOf(wire.toUpperCase(java.util.Locale.ROOT));
        }

        /** The level of a room whose person chose none: every message of a direct room, mentions elsewhere. */
        public static Notify byDefault(RoomKind kind) {
            return kind == RoomKind.DIRECT ? ALL : MENTIONS;
        }
    }

    /** A marker to store: {@code user} has read {@code room} up to {@code seq}. */
    public record Marker(UserId user, RoomId room, long seq) {}
}
