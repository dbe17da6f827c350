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
 * and whether the reaction added it (false: took it away again); null for other kinds. {@code reply}: the
 * message this one answers, quoted as it reads now (every read quotes it afresh), or null. {@code mentions}:
 * whom a message mentions, as decided when it was sent (an edit does not change it; a deletion clears it).
 */
public record ChatMessage(RoomId room, long seq, String clientId, UserId senderId, String senderName,
                          String text, long ts, SharedFile file, Kind kind, long target, String emoji, Boolean added,
                          Long edited, Deletion deleted, List<Reaction> reactions, Reply reply, Mentions mentions) {

    public ChatMessage {
        reactions = List.copyOf(reactions);
        if (mentions == null) mentions = Mentions.NONE;
    }

    /** An entry that answers no message and mentions no one. */
    public ChatMessage(RoomId room, long seq, String clientId, UserId senderId, String senderName, String text, long ts,
                       SharedFile file, Kind kind, long target, String emoji, Boolean added, Long edited, Deletion deleted,
                       List<Reaction> reactions) {
        this(room, seq, clientId, senderId, senderName, text, ts, file, kind, target, emoji, added, edited, deleted,
                reactions, null, Mentions.NONE);
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

    /**
     * The message a reply answers ({@code seq}), quoted as it reads now: its author, the start of its text
     * (at most {@value #QUOTE_CHARS} characters, cut between two characters as people see them, with "…"
     * when cut), the name of the file it shares (or null), and whether it was deleted (then its text is
     * empty and it has no file). Never a text the target no longer reads.
     */
    public record Reply(long seq, UserRef from, String text, String file, boolean deleted) {
        public static final int QUOTE_CHARS = 100;

        public Reply {
            text = deleted ? "" : quote(text);
            if (deleted) file = null;
        }

        /** The start of {@code text}, at most {@value #QUOTE_CHARS} characters (UTF-16 units) with the "…", never cutting a character in two. */
        static String quote(String text) {
            if (text.length() <= QUOTE_CHARS) return text;
            java.text.BreakIterator graphemes = java.text.BreakIterator.getCharacterInstance(java.util.Locale.ROOT);
            graphemes.setText(text);
            int end = graphemes.preceding(QUOTE_CHARS); // leaves room for the "…"
            return text.substring(0, Math.max(end, 0)).stripTrailing() + "…";
        }
    }

    /** The same entry, answering {@code reply}. */
    public ChatMessage withReply(Reply reply) {
        return new ChatMessage(room, seq, clientId, senderId, senderName, text, ts, file, kind, target, emoji, added,
                edited, deleted, reactions, reply, mentions);
    }

    public boolean isDeleted() {
        return deleted != null;
    }
}
