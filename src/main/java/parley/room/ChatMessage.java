package parley.room;

/**
 * A stored message; {@code seq} is its place in its room's one order (1, 2, 3, ...); {@code file} is the
 * file it shares, or null.
 */
public record ChatMessage(RoomId room, long seq, String clientId, UserId senderId, String senderName,
                          String text, long ts, SharedFile file) {
    public ChatMessage(RoomId room, long seq, String clientId, UserId senderId, String senderName, String text, long ts) {
        this(room, seq, clientId, senderId, senderName, text, ts, null);
    }
}
