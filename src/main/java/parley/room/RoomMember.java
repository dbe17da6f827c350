package parley.room;

/** Someone who belongs to a room, with their role in it. */
public record RoomMember(UserRef user, Role role) {}
