package parley.room;

/** Someone who belongs to a room, with their role in it. */
public record Membership(UserRef user, Role role) {}
