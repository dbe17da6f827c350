package parley.room;

/** A file shared in a room, with where it belongs and who may upload its bytes. */
public record RoomFile(RoomId room, UserId uploader, SharedFile meta) {}
