package parley.room;

import java.util.List;

/**
 * An entry of a room's one order: {@code seq} is its place (1, 2, 3, ...). An entry is a message, or a
 * change to one ({@link Kind}), which names the message it changes by its seq ({@code target}, 0 for a
 * message). The store applies a change to its target in the same commit as the entry, and every read
 * gives the target as it is now: so a message read later carries its current {@code text}, when it was
 * last {@code edited} (null: never), whether it was {@code deleted} (then its text is empty and its file
 * gone) and its {@code reactions}; an edit read later carries its target's current text, never the text
 * it replaced.
 *
 * <p>{@code file}: the file a message shares, or null. {@code emoji} and {@code added}: a reaction's emoji,
 * and whether the reaction added it (false: took it away again); null for other kinds. {@code mentions}: whom
 * a message mentions, as decided when it was sent (an edit does not change it; a deletion clears it).
 */
public record ChatMessage(RoomId room, long seq, String clientId, UserId senderId, String senderName,
                          String text, long ts, SharedFile file, Kind kind, long target, String emoji, Boolean added,
                          Long edited, Deletion deleted, List<Reaction> reactions, Mentions mentions) {

    public ChatMessage {
        reactions = List.copyOf(reactions);
        if (mentions == null) mentions = Mentions.NONE;
    }

    /** An entry that mentions no one. */
    public ChatMessage(RoomId room, long seq, String clientId, UserId senderId, String senderName, String text, long ts,
                       SharedFile file, Kind kind, long target, String emoji, Boolean added, Long edited, Deletion deleted,
                       List<Reaction> reactions) {
        this(room, seq, clientId, senderId, senderName, text, ts, file, kind, target, emoji, added, edited, deleted, reactions,
                Mentions.NONE);
    }

    public ChatMessage(RoomId room, long seq, String clientId, UserId senderId, String senderName, String text, long ts,
                       SharedFile file) {
        this(room, seq, clientId, senderId, senderName, text, ts, file, Kind.MESSAGE, 0, null, null, null, null, List.of());
    }

    public ChatMessage(RoomId room, long seq, String clientId, UserId senderId, String senderName, String text, long ts) {
        this(room, seq, clientId, senderId, senderName, text, ts, null);
    }

    /** What an entry is. Only a {@link #MESSAGE} may be the target of a change. */
    public enum Kind {
        MESSAGE, EDIT, DELETE, REACTION;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Kind of(String wire) {
            return valueOf(wire.toUpperCase(java.util.Locale.ROOT));
        }
    }

    /** A message's tombstone: who deleted it, and when. */
    public record Deletion(UserRef by, long ts) {}

    /** One emoji on a message and who reacted with it, in the order they did. */
    public record Reaction(String emoji, List<UserRef> by) {
        public Reaction {
            by = List.copyOf(by);
        }
    }

    public boolean isDeleted() {
        return deleted != null;
    }
}
