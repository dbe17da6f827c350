package parley.room;

/** A stored message; {@code seq} is its place in its room's one order (1, 2, 3, ...). */
public record ChatMessage(RoomId room, long seq, String clientId, UserId senderId, String senderName,
                          String text, long ts) {}
